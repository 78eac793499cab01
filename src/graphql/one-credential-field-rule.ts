import { GraphQLError, type ValidationRule } from "graphql";

/** Fields that check a password or a refresh token: each guess must cost one request. */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  "login",
  "register",
  "refresh",
  "changePassword",
  "verifyEmail",
  "requestPasswordReset",
  "resetPassword",
]);

/**
 * Allows at most one credential-checking field per document, counting aliases and fragments,
 * so `a: login(…) b: login(…) …` cannot multiply password guesses per request.
 */
export const OneCredentialFieldRule: ValidationRule = (context) => {
  const mutationType = context.getSchema().getMutationType();
  let seen = 0;
  return {
    Field(node) {
      if (!mutationType || context.getParentType() !== mutationType || !CREDENTIAL_FIELDS.has(node.name.value)) return;
      seen += 1;
      if (seen === 2) {
        context.reportError(
          new GraphQLError(
            `A document may contain at most one of ${[...CREDENTIAL_FIELDS].join(", ")} (aliases included); send one per request.`,
            { nodes: node },
          ),
        );
      }
    },
  };
};

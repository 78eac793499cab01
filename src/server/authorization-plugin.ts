import { type ApolloServerPlugin, HeaderMap } from "@apollo/server";
import type { GraphQLError } from "graphql";
import { analyzeOperation, deniedErrors } from "../authz/analyze-operation.js";
import type { GraphQLContext } from "../graphql/context.js";

/**
 * Refuses a mutation as a whole, before any resolver runs, when a rule that needs no data denies
 * any field, argument or input field anywhere in its selection: nothing is written, and the
 * answer is `data: null` with one error per denied place, each with its path. Queries go on to
 * execution, where each denied field becomes null with its own error, as before.
 */
export function authorizationPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation(requestContext) {
          const { operation, document, schema, request, contextValue } = requestContext;
          if (operation?.operation !== "mutation") return null;
          const analysis = analyzeOperation({
            schema,
            document,
            variables: request.variables,
            operationName: requestContext.operationName,
            claims: contextValue.auth.claims,
          });
          if (analysis.denied.length === 0) return null;
          const errors = deniedErrors(analysis, contextValue.auth.error);
          // Apollo records the errors of an answer it executed; this one it did not, so the
          // request log (outcome, error codes) reads them from here.
          (requestContext as { errors?: readonly GraphQLError[] }).errors = errors;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: "single", singleResult: { data: null, errors: errors.map((error) => error.toJSON()) } },
          };
        },
      };
    },
  };
}

import { type ApolloServerPlugin, HeaderMap } from "@apollo/server";
import type { GraphQLError, GraphQLSchema } from "graphql";
import { deniedErrors } from "../authz/analyze-operation.js";
import { createOperationAnalyzer } from "../authz/operation-analyzer.js";
import { createUnguardedOperationCheck } from "../authz/unguarded-operation.js";
import type { GraphQLContext } from "../graphql/context.js";
import type { Logger } from "./logger.js";

export interface AuthorizationPluginOptions {
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
}

/**
 * Refuses a mutation as a whole, before any resolver runs, when a rule that needs no data denies
 * any field, argument or input field anywhere in its selection: nothing is written, and the
 * answer is `data: null` with one error per denied place, each with its path. Queries go on to
 * execution, where each denied field becomes null with its own error, as before.
 */
export function authorizationPlugin(options: AuthorizationPluginOptions): ApolloServerPlugin<GraphQLContext> {
  const analyze = createOperationAnalyzer(options.schema);
  const unguarded = createUnguardedOperationCheck(options.schema);
  const { logger } = options;
  return {
    async requestDidStart() {
      return {
        async responseForOperation(requestContext) {
          const { operation, document, request, contextValue } = requestContext;
          if (operation?.operation !== "mutation") return null;
          // No rule anywhere in reach (login, refresh, …): nothing can be refused before execution.
          if (unguarded(document, requestContext.operationName)) return null;
          let analysis;
          try {
            analysis = analyze({ document, variables: request.variables, operationName: requestContext.operationName, claims: contextValue.auth.claims });
          } catch (error) {
            // Variables too deep to walk (the JSON scalar refuses them): execution coerces the
            // variables before any resolver runs and answers BAD_USER_INPUT, so nothing is lost.
            if (error instanceof RangeError) return null;
            throw error;
          }
          if (analysis.denied.length === 0) return null;
          const errors = deniedErrors(analysis, contextValue.auth.error);
          for (const error of errors) {
            logger.info(
              {
                event: "authorization_denied",
                requestId: contextValue.requestId,
                operationName: requestContext.operationName,
                path: error.path?.join("."),
                code: error.extensions["code"],
                reason: error.extensions["reason"],
                requiredClaims: error.extensions["requiredClaims"],
                argument: error.extensions["argument"],
                subject: contextValue.auth.claims?.["sub"],
                refusedBeforeExecution: true,
              },
              "authorization denied",
            );
          }
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

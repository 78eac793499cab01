import { getOperationAST, type GraphQLSchema } from "graphql";
import { deniedErrors } from "../authz/analyze-operation.js";
import { createOperationAnalyzer } from "../authz/operation-analyzer.js";
import type { PreExecutionCheck } from "./graphql-websocket.js";

/**
 * The pre-execution authorization analysis for operations on a WebSocket, as authorizationPlugin
 * runs it over HTTP: a mutation with any denied place is refused as a whole before it runs.
 * Subscriptions, like queries, go on: their guarded fields are checked when they start and
 * again for every event.
 */
export function socketAuthorizationCheck(schema: GraphQLSchema): PreExecutionCheck {
  const analyze = createOperationAnalyzer(schema);
  return ({ document, variables, operationName, context }) => {
    if (getOperationAST(document, operationName ?? undefined)?.operation !== "mutation") return [];
    const analysis = analyze({ document, variables, operationName, claims: context.auth.claims });
    return analysis.denied.length === 0 ? [] : deniedErrors(analysis, context.auth.error);
  };
}

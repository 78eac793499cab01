import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * A subscription sent as an HTTP request is the client's mistake (this endpoint answers queries
 * and mutations), so it gets BAD_REQUEST and HTTP 400 before execution, instead of the executor's
 * "not configured" error, which would be masked and logged as a server fault.
 */
export function unsupportedOperationPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== "subscription") return;
          throw new GraphQLError("Subscriptions are not served over HTTP requests: they run over WebSocket (graphql-ws) at this same path; send queries and mutations here.", {
            extensions: { code: "BAD_REQUEST", reason: "OPERATION_TYPE_NOT_SERVED", http: { status: 400 } },
          });
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";

/**
 * A subscription sent over HTTP is refused with BAD_REQUEST (400) naming the way that works,
 * instead of running its resolver once and failing with an internal error.
 */
export function subscriptionsOverHttpPlugin(path: string): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== "subscription") return;
          throw new GraphQLError(`Subscriptions run over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at ${path}, not over HTTP.`, {
            extensions: { code: "BAD_REQUEST", reason: "WEBSOCKET_ONLY", http: { status: 400 } },
          });
        },
      };
    },
  };
}

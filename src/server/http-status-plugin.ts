import type { ApolloServerPlugin } from "@apollo/server";
import { errorCodeEntry } from "../domain/error-vocabulary.js";
import type { GraphQLContext } from "../graphql/context.js";
import { mutationTookEffect } from "../graphql/mutation-effects.js";
import { negotiateMediaType, responseStatus } from "./response-status.js";

export interface HttpStatusPluginOptions {
  /** Realm named in `WWW-Authenticate` challenges. */
  realm: string;
}

/**
 * Applies the status table (`responseStatus`, README "Errors") to every single-result
 * response, and stamps server faults with the request id so a client's report leads an
 * operator to the log line. Whether a mutation root field's resolver completed is recorded
 * while executing (mutation-effects.ts): its effect happened, so the answer is 200 even when the
 * result is withheld.
 */
export function httpStatusPlugin(options: HttpStatusPluginOptions): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, contextValue }) {
          if (response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (result.errors) {
            for (const error of result.errors) {
              if (errorCodeEntry(error.extensions?.["code"])?.kind === "fault" && contextValue?.requestId) {
                (error.extensions as Record<string, unknown>)["requestId"] = contextValue.requestId;
              }
            }
          }
          const decision = responseStatus({
            mediaType: negotiateMediaType(request.http?.headers.get("accept")),
            data: "data" in result ? result.data : undefined,
            errors: result.errors,
            mutationEffect: contextValue !== undefined && mutationTookEffect(contextValue),
            realm: options.realm,
            currentStatus: response.http.status,
          });
          if (decision.status !== undefined) response.http.status = decision.status;
          for (const [name, value] of Object.entries(decision.headers)) response.http.headers.set(name, value);
        },
      };
    },
  };
}

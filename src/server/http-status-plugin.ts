import type { ApolloServerPlugin } from "@apollo/server";

export interface HttpStatusPluginOptions {
  /** Realm named in `WWW-Authenticate` challenges. */
  realm: string;
}

/**
 * GraphQL answers 200 whenever there is data. When there is none and every error is an
 * authentication, authorization or rate-limit failure, the HTTP status says so:
 * 401 with a Bearer challenge (RFC 6750; error="invalid_token" when the presented token was
 * rejected), 403 with error="insufficient_scope", or 429 with Retry-After. A document refused
 * before execution is a 400 even when the refusal came from a plugin (GraphQL Armor's token
 * limit throws while parsing, which Apollo would otherwise answer with 500).
 */
export function httpStatusPlugin(options: HttpStatusPluginOptions): ApolloServerPlugin {
  const realm = `realm="${options.realm.replace(/["\\]/g, "")}"`;
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors || errors.length === 0) return;
          const codes = errors.map((error) => error.extensions?.["code"]);
          if (codes.every((code) => code === "GRAPHQL_VALIDATION_FAILED" || code === "GRAPHQL_PARSE_FAILED")) {
            response.http.status = 400;
            return;
          }
          if (codes.every((code) => code === "TOO_MANY_REQUESTS")) {
            const retryAfter = Math.max(...errors.map((error) => Number(error.extensions?.["retryAfter"]) || 1));
            response.http.status = 429;
            response.http.headers.set("retry-after", String(retryAfter));
            return;
          }
          if (!codes.every((code) => code === "UNAUTHENTICATED" || code === "FORBIDDEN")) return;
          if (codes.includes("UNAUTHENTICATED")) {
            const tokenRejected = errors.some((error) => String(error.extensions?.["reason"]).startsWith("TOKEN_"));
            response.http.status = 401;
            response.http.headers.set("www-authenticate", `Bearer ${realm}${tokenRejected ? `, error="invalid_token"` : ""}`);
          } else {
            response.http.status = 403;
            response.http.headers.set("www-authenticate", `Bearer ${realm}, error="insufficient_scope"`);
          }
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from "@apollo/server";

export interface AuthStatusPluginOptions {
  /** Realm named in `WWW-Authenticate` challenges. */
  realm: string;
}

/**
 * GraphQL answers 200 whenever there is data. When there is none and every error is an
 * authentication or authorization failure, the HTTP status says so as RFC 6750 describes:
 * 401 with a Bearer challenge (error="invalid_token" when the presented token was rejected), or
 * 403 with error="insufficient_scope".
 */
export function authStatusPlugin(options: AuthStatusPluginOptions): ApolloServerPlugin {
  const realm = `realm="${options.realm.replace(/["\\]/g, "")}"`;
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors || errors.length === 0) return;
          const codes = errors.map((error) => error.extensions?.["code"]);
          if (!codes.every((code) => code === "UNAUTHENTICATED" || code === "FORBIDDEN")) return;
          if (codes.includes("UNAUTHENTICATED")) {
            response.http.status = 401;
            const tokenRejected = errors.some((error) => String(error.extensions?.["reason"]).startsWith("TOKEN_"));
            const invalidToken = tokenRejected ? `, error="invalid_token"` : "";
            response.http.headers.set("www-authenticate", `Bearer ${realm}${invalidToken}`);
          } else {
            response.http.status = 403;
            response.http.headers.set("www-authenticate", `Bearer ${realm}, error="insufficient_scope"`);
          }
        },
      };
    },
  };
}

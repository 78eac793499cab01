import type { ServerResponse } from "node:http";
import type { CreateContext } from "../graphql/create-context.js";
import type { GraphQLContext } from "../graphql/context.js";
import { clientAddress, type TrustProxy } from "./client-address.js";
import type { PlainRequest } from "./direct-routes.js";
import { refreshCookieJar, type RefreshCookieOptions } from "./refresh-cookie.js";

/**
 * The GraphQL context of an HTTP request: what the shared `createContext` needs, read from the
 * request (the Authorization header, the client's address as `trust proxy` resolves it, exactly as
 * Express's `req.ip`, its User-Agent) and the refresh cookie jar bound to this request and
 * response. WebSocket operations build theirs from the connection instead (graphql-websocket.ts).
 */
export function requestContext(createContext: CreateContext, options: { cookies: RefreshCookieOptions; trustProxy: TrustProxy }) {
  return ({ req, res }: { req: PlainRequest; res: ServerResponse }): Promise<GraphQLContext> =>
    createContext({
      authorization: req.headers.authorization,
      client: { ip: clientAddress(req, options.trustProxy), userAgent: req.headers["user-agent"] ?? null },
      refreshCookie: refreshCookieJar(req, res, options.cookies),
    });
}

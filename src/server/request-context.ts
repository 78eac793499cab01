import type { Request, Response } from "express";
import type { CreateContext } from "../graphql/create-context.js";
import type { GraphQLContext } from "../graphql/context.js";
import { refreshCookieJar, type RefreshCookieOptions } from "./refresh-cookie.js";

/**
 * The GraphQL context of an HTTP request: what the shared `createContext` needs, read from
 * Express's request (the Authorization header, the client's address as `trust proxy` resolves it,
 * its User-Agent) and the refresh cookie jar bound to this request and response. WebSocket
 * operations build theirs from the connection instead (graphql-websocket.ts).
 */
export function requestContext(createContext: CreateContext, cookieOptions: RefreshCookieOptions) {
  return ({ req, res }: { req: Request; res: Response }): Promise<GraphQLContext> =>
    createContext({
      authorization: req.headers.authorization,
      client: { ip: req.ip ?? null, userAgent: req.headers["user-agent"] ?? null },
      refreshCookie: refreshCookieJar(req, res, cookieOptions),
    });
}

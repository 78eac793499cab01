import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/** Express's compiled `trust proxy` setting: which hops may speak for the client. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client's address as Express computes `req.ip` for HTTP requests, for requests Express does
 * not see (the WebSocket upgrade): X-Forwarded-For counts only through trusted proxies (TRUST_PROXY).
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string | null {
  if (!request.socket.remoteAddress) return null;
  return proxyAddr(request, trust);
}

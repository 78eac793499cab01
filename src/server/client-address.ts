import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/** Express's compiled `trust proxy` setting: which hops may speak for the client. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client's address exactly as Express computes `req.ip` (proxy-addr with the compiled
 * `trust proxy`), for handlers that get Node's own request (direct routes, the WebSocket
 * upgrade): X-Forwarded-For counts only through trusted proxies (TRUST_PROXY). A socket without
 * an address is left to proxy-addr too: with TRUST_PROXY `true` or a hop count Express believes
 * X-Forwarded-For then, and so must we, or the address login limits key on would differ by route.
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string | null {
  return proxyAddr(request, trust) ?? null;
}

import type { ServerResponse } from "node:http";
import { matchOrigin, type OriginPattern } from "../config/cors-origins.js";
import type { PlainHandler } from "./direct-routes.js";
import { COOKIE_MODE_HEADER } from "./refresh-cookie.js";

/** Headers browser clients send: Apollo Client, urql, graphql-request and cookie mode. */
export const CORS_ALLOWED_HEADERS = ["authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name", COOKIE_MODE_HEADER];
/** Headers a page may read from responses. */
export const CORS_EXPOSED_HEADERS = ["x-request-id", "www-authenticate", "retry-after"];

const EXPOSED = CORS_EXPOSED_HEADERS.join(",");
/** What a preflight grants besides the origin; the same for every origin that is let in. */
const PREFLIGHT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Access-Control-Allow-Methods", "GET,POST"],
  ["Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS.join(",")],
  ["Access-Control-Max-Age", "600"],
];

/**
 * CORS for the GraphQL path: listed origins get their own origin back with credentials allowed;
 * `*` in CORS_ORIGINS lets any other origin read without credentials; every other origin gets
 * no CORS headers, so the browser keeps the response from the page. Preflights end here (204).
 * Written out rather than built on the `cors` package: it rebuilds the same headers from an
 * options object on every request, a cost every GraphQL request paid.
 */
export function corsMiddleware(patterns: readonly OriginPattern[]): PlainHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    const match = matchOrigin(patterns, origin);
    // Whenever origins are configured the answer depends on the Origin header (a listed origin gets
    // itself and credentials, others `*` or nothing): caches must not hand one origin's to another.
    if (patterns.length > 0) varyOnOrigin(res);
    if (match === "listed") {
      res.setHeader("Access-Control-Allow-Origin", origin!);
      res.setHeader("Access-Control-Allow-Credentials", "true");
    } else if (match === "any") {
      res.setHeader("Access-Control-Allow-Origin", "*");
    }
    if (req.method !== "OPTIONS") {
      if (match !== "refused") res.setHeader("Access-Control-Expose-Headers", EXPOSED);
      return next();
    }
    if (match !== "refused") {
      for (const [name, value] of PREFLIGHT_HEADERS) res.setHeader(name, value);
      res.setHeader("Access-Control-Expose-Headers", EXPOSED);
    }
    endPreflight(res);
  };
}

/** Adds Origin to Vary (as Express's res.vary does), keeping what other code put there. */
function varyOnOrigin(res: ServerResponse): void {
  const current = res.getHeader("Vary");
  if (current === undefined) {
    res.setHeader("Vary", "Origin");
    return;
  }
  const fields = String(current);
  if (fields.trim() === "*" || fields.split(",").some((field) => field.trim().toLowerCase() === "origin")) return;
  res.setHeader("Vary", `${fields}, Origin`);
}

/** Safari waits for a body unless a 204 says Content-Length: 0. */
function endPreflight(res: ServerResponse): void {
  res.statusCode = 204;
  res.setHeader("Content-Length", "0");
  res.end();
}

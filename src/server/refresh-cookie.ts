import type { IncomingMessage, ServerResponse } from "node:http";
import { matchOrigin, type OriginPattern } from "../config/cors-origins.js";
import type { RefreshCookieJar } from "../graphql/context.js";

/**
 * `__Host-` makes the browser refuse the cookie unless it is Secure, has Path=/ and no Domain:
 * no sibling subdomain can set or overwrite it (cookie tossing), which a path-scoped cookie
 * without the prefix cannot promise. The price, being sent to every path of the API's host,
 * is small: it is HttpOnly and SameSite=Strict, and only refresh and logout read it.
 */
export const REFRESH_COOKIE_NAME = "__Host-claimgate-refresh";

/** A client asks for cookie mode with this header set to `cookie`. */
export const COOKIE_MODE_HEADER = "claimgate-refresh-token";

export interface RefreshCookieOptions {
  corsOrigins: readonly OriginPattern[];
  maxAgeSeconds: number;
}

const COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: "strict", path: "/" } as const;

/** The refresh-token cookie of one HTTP request: read from its Cookie header, set on its response. */
export function refreshCookieJar(req: IncomingMessage, res: ServerResponse, options: RefreshCookieOptions): RefreshCookieJar {
  const origin = req.headers.origin;
  const listed = matchOrigin(options.corsOrigins, origin) === "listed";
  return {
    requested: req.headers[COOKIE_MODE_HEADER] === "cookie",
    refusal: listed
      ? null
      : origin === undefined
        ? "Cookie mode is for browsers: the request must carry an Origin listed in CORS_ORIGINS."
        : `Cookie mode is refused for the origin ${origin.slice(0, 100)}: it is not listed in CORS_ORIGINS.`,
    read: () => readCookie(req.headers.cookie, REFRESH_COOKIE_NAME),
    set: (refreshToken) => appendSetCookie(res, serializeRefreshCookie(refreshToken, options.maxAgeSeconds * 1000)),
    // Expired at the epoch's first millisecond, as Express's res.clearCookie sends it.
    clear: () => appendSetCookie(res, serializeRefreshCookie("", null)),
  };
}

/**
 * The Set-Cookie value Express's res.cookie wrote through the `cookie` package, attributes in its
 * order: Max-Age (seconds) and Expires from a max age, else only Expires at the epoch (cleared).
 */
function serializeRefreshCookie(value: string, maxAgeMs: number | null): string {
  const { httpOnly, secure, sameSite, path } = COOKIE_ATTRIBUTES;
  const expires = maxAgeMs === null ? new Date(1) : new Date(Date.now() + maxAgeMs);
  return [
    `${REFRESH_COOKIE_NAME}=${encodeURIComponent(value)}`,
    ...(maxAgeMs === null ? [] : [`Max-Age=${Math.floor(maxAgeMs / 1000)}`]),
    `Path=${path}`,
    `Expires=${expires.toUTCString()}`,
    ...(httpOnly ? ["HttpOnly"] : []),
    ...(secure ? ["Secure"] : []),
    `SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`,
  ].join("; ");
}

/** Adds a Set-Cookie header, keeping those set before (as Express's res.append does). */
function appendSetCookie(res: ServerResponse, value: string): void {
  const previous = res.getHeader("Set-Cookie");
  if (previous === undefined) res.setHeader("Set-Cookie", value);
  else res.setHeader("Set-Cookie", [...(Array.isArray(previous) ? previous : [String(previous)]), value]);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return value === "" ? null : decodeURIComponent(value);
    }
  }
  return null;
}

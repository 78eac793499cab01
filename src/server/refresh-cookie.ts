import type { Request, Response } from "express";
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
export function refreshCookieJar(req: Request, res: Response, options: RefreshCookieOptions): RefreshCookieJar {
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
    set: (refreshToken) => void res.cookie(REFRESH_COOKIE_NAME, refreshToken, { ...COOKIE_ATTRIBUTES, maxAge: options.maxAgeSeconds * 1000 }),
    clear: () => void res.clearCookie(REFRESH_COOKIE_NAME, COOKIE_ATTRIBUTES),
  };
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

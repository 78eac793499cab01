import cors from "cors";
import type { RequestHandler } from "express";
import { matchOrigin, type OriginPattern } from "../config/cors-origins.js";
import { COOKIE_MODE_HEADER } from "./refresh-cookie.js";

/** Headers browser clients send: Apollo Client, urql, graphql-request and cookie mode. */
export const CORS_ALLOWED_HEADERS = ["authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name", COOKIE_MODE_HEADER];
/** Headers a page may read from responses. */
export const CORS_EXPOSED_HEADERS = ["x-request-id", "www-authenticate", "retry-after"];

/**
 * CORS for the GraphQL path: listed origins get their own origin back with credentials allowed;
 * `*` in CORS_ORIGINS lets any other origin read without credentials; every other origin gets
 * no CORS headers, so the browser keeps the response from the page. Preflights end here.
 */
export function corsMiddleware(patterns: readonly OriginPattern[]): RequestHandler[] {
  const handler = cors((req, callback) => {
    const origin = req.headers.origin;
    const match = matchOrigin(patterns, origin);
    if (match === "refused") return callback(null, { origin: false });
    callback(null, {
      origin: match === "listed" ? origin : "*",
      credentials: match === "listed",
      methods: ["GET", "POST"],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  });
  const endPreflight: RequestHandler = (req, res, next) => {
    if (req.method === "OPTIONS") res.status(204).end();
    else next();
  };
  return [handler, endPreflight];
}

import type { PlainErrorHandler } from "./direct-routes.js";

/**
 * Express's body parser fails before GraphQL sees the request; answer in GraphQL's error shape
 * with a status and a message a person understands, never Express's HTML page with a stack.
 */
export const bodyErrorHandler: PlainErrorHandler = (thrown, _req, res, next) => {
  if (res.headersSent) return next(thrown);
  const error = (typeof thrown === "object" && thrown !== null ? thrown : {}) as { status?: number; type?: string };
  const tooLarge = error.type === "entity.too.large";
  const badJson = error.type === "entity.parse.failed";
  const status = tooLarge ? 413 : badJson ? 400 : (error.status ?? 500);
  const message = tooLarge
    ? "The request body is larger than 100 KB."
    : badJson
      ? "The request body is not valid JSON."
      : status < 500
        ? "The request could not be read."
        : "Internal server error.";
  const body = JSON.stringify({ errors: [{ message, extensions: { code: status < 500 ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR" } }] });
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
};

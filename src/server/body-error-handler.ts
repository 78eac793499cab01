import type { ErrorRequestHandler } from "express";

/**
 * Express's body parser fails before GraphQL sees the request; answer in GraphQL's error shape
 * with a status and a message a person understands, never Express's HTML page with a stack.
 */
export const bodyErrorHandler: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
  if (res.headersSent) return next(error);
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
  res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR" } }] });
};

import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { DomainError } from "../domain/domain-error.js";

/** Codes whose messages are written for clients and pass through unchanged. */
const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "TOO_MANY_REQUESTS",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

export const INTERNAL_ERROR_MESSAGE = "Internal server error; the server logged the details under this request's id.";

export interface FormatErrorOptions {
  /** Keep internal messages and stack traces (development only). */
  exposeInternals: boolean;
}

/**
 * Gives every error a stable `extensions.code`: domain errors become client errors with their
 * reason, and anything unexpected is masked as INTERNAL_SERVER_ERROR outside development.
 */
export function createErrorFormatter(options: FormatErrorOptions) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, reason: original.reason, ...original.details },
      };
    }
    const code = formatted.extensions?.["code"];
    if (typeof code === "string" && CLIENT_ERROR_CODES.has(code)) {
      if (options.exposeInternals) return formatted;
      const { stacktrace: _omitted, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (options.exposeInternals) return formatted;
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}

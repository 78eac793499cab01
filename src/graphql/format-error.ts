import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { findDatabaseFault, type DatabaseFault } from "../db/database-fault.js";
import { DomainError } from "../domain/domain-error.js";
import { type ErrorCode, errorCodeEntry } from "../domain/error-vocabulary.js";
import { findClientMistake } from "./client-mistakes.js";

/** What a client is told for each database fault; the server logs the details. */
const FAULT_MESSAGES: Record<DatabaseFault["kind"], string> = {
  locked: "The database is busy (another connection holds a lock this request needs); retry shortly.",
  read_only: "The database cannot take writes right now (it is read-only); retry later.",
  disk_full: "The database cannot take writes right now (its disk is full); retry later.",
  io: "The database could not be read or written (I/O error); retry later.",
  unavailable: "The database is unavailable; retry later.",
  corrupt: "The database is damaged; retry later.",
};

export const INTERNAL_ERROR_MESSAGE = "Internal server error; the server logged the details under this request's id.";

export interface FormatErrorOptions {
  /** Keep internal messages and stack traces (development only). */
  exposeInternals: boolean;
}

/**
 * Gives every error a stable `extensions.code`: domain errors become client errors with their
 * reason, a database fault (locked, read-only, disk full, I/O) becomes SERVICE_UNAVAILABLE with
 * its reason and `retryAfter` (HTTP 503, see the status plugin), and anything else unexpected
 * is masked as INTERNAL_SERVER_ERROR outside development.
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
    const fault = findDatabaseFault(original);
    if (fault) {
      return {
        message: FAULT_MESSAGES[fault.kind],
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: {
          code: "SERVICE_UNAVAILABLE" satisfies ErrorCode,
          reason: fault.reason,
          retryAfter: fault.retryAfterSeconds,
          // Development only: SQLite's own words, which the log carries in production.
          ...(options.exposeInternals ? { databaseCode: fault.databaseCode, detail: original instanceof Error ? original.message : String(original) } : {}),
        },
      };
    }
    const mistake = error instanceof GraphQLError ? findClientMistake(error) : null;
    if (mistake) {
      return {
        message: mistake.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: mistake.code, reason: mistake.reason },
      };
    }
    // Codes whose messages are written for clients pass through unchanged (the vocabulary says which).
    if (errorCodeEntry(formatted.extensions?.["code"])?.clientFacing) {
      if (options.exposeInternals) return formatted;
      const { stacktrace: _omitted, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (options.exposeInternals) return formatted;
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: "INTERNAL_SERVER_ERROR" satisfies ErrorCode },
    };
  };
}

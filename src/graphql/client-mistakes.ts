import type { GraphQLError } from "graphql";
import type { ErrorCode, ErrorReason } from "../domain/error-vocabulary.js";

export interface ClientMistake {
  readonly code: Extract<ErrorCode, "BAD_REQUEST" | "PERSISTED_QUERY_NOT_FOUND" | "BAD_USER_INPUT">;
  readonly reason: ErrorReason;
  readonly message: string;
}

/** Apollo Server's own messages for these refusals; it gives them no code of their own. */
const APQ_HASH_MISMATCH = "provided sha does not match query";
const APQ_UNSUPPORTED_VERSION = "Unsupported persisted query version";

/**
 * Errors a client caused that Apollo Server or the JavaScript engine report without a client
 * error code, so they would be masked and logged as server faults: a persisted-query hash that
 * does not match its query, an unknown persisted-query version, and an input nested so deep that
 * walking it overflowed the stack (the JSON scalar refuses deep values first; this is the net
 * under every other path).
 */
export function findClientMistake(error: GraphQLError): ClientMistake | null {
  if (error.message === APQ_HASH_MISMATCH) {
    return {
      code: "PERSISTED_QUERY_NOT_FOUND",
      reason: "PERSISTED_QUERY_HASH_MISMATCH",
      message: "The persisted query's sha256Hash does not match the query sent with it; send the query's own hash.",
    };
  }
  if (error.message === APQ_UNSUPPORTED_VERSION) {
    return { code: "BAD_REQUEST", reason: "PERSISTED_QUERY_VERSION_UNSUPPORTED", message: "Only version 1 of automatic persisted queries is supported." };
  }
  let cause: unknown = error.originalError;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      return { code: "BAD_USER_INPUT", reason: "INPUT_TOO_DEEP", message: "An input value is nested too deeply." };
    }
    cause = (cause as { originalError?: unknown; cause?: unknown }).originalError ?? cause.cause;
  }
  return null;
}

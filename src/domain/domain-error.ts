import type { ErrorCode, ErrorReason } from "./error-vocabulary.js";

/** Error codes a client can act on; the GraphQL layer copies them into `extensions.code`. */
export type DomainErrorCode = Extract<ErrorCode, "UNAUTHENTICATED" | "FORBIDDEN" | "BAD_USER_INPUT" | "BAD_REQUEST" | "NOT_FOUND" | "TOO_MANY_REQUESTS">;

/**
 * A failure the caller caused and can understand. The message is written for a person and
 * is shown as is; `reason` is the stable, machine-readable detail, one of the vocabulary's
 * ErrorReason (test/unit/error-vocabulary.test.ts checks every reason thrown in src/).
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly reason: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badInput = (reason: ErrorReason, message: string, details?: Record<string, unknown>) =>
  new DomainError("BAD_USER_INPUT", reason, message, details);

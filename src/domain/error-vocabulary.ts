/**
 * The error vocabulary: every `extensions.code` a client can see, every `extensions.reason`, and
 * what each means for the HTTP answer and the log. It sits at the bottom of the layers because
 * every layer names these codes (domain errors, token rejections, authorization errors, the
 * formatter, the status plugin, the request log); it holds data only, no transport code.
 */

/** How an error code bears on the answer to the request as a whole. */
export type ErrorKind =
  /** The request is not a well-formed GraphQL request: 400 for both media types. */
  | "request"
  /** The caller may not do this (yet): 401/403/429 for graphql-response+json, 200 for json. */
  | "caller"
  /** An answer of the operation (bad input, not found): Apollo's status stands. */
  | "outcome"
  /** The server's fault: 503 or 500 for both media types. */
  | "fault";

/** What the request log records for an error of this code. */
export type ErrorLogEvent = "authorization_denied" | "client_error" | "fault" | null;

export interface ErrorCodeEntry {
  readonly kind: ErrorKind;
  /** The HTTP status when the request fails as a whole because of it; null keeps Apollo's. */
  readonly status: number | null;
  /** Its message is written for clients and passes the formatter unchanged. */
  readonly clientFacing: boolean;
  readonly log: ErrorLogEvent;
  /** `Retry-After` is always sent (throttling), or only when the error names `retryAfter` (faults). */
  readonly retryAfter: "always" | "when-given" | "never";
}

export const ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: { kind: "request", status: 400, clientFacing: true, log: null, retryAfter: "never" },
  GRAPHQL_VALIDATION_FAILED: { kind: "request", status: 400, clientFacing: true, log: null, retryAfter: "never" },
  BAD_REQUEST: { kind: "request", status: 400, clientFacing: true, log: "client_error", retryAfter: "never" },
  UNAUTHENTICATED: { kind: "caller", status: 401, clientFacing: true, log: "authorization_denied", retryAfter: "never" },
  FORBIDDEN: { kind: "caller", status: 403, clientFacing: true, log: "authorization_denied", retryAfter: "never" },
  TOO_MANY_REQUESTS: { kind: "caller", status: 429, clientFacing: true, log: null, retryAfter: "always" },
  BAD_USER_INPUT: { kind: "outcome", status: null, clientFacing: true, log: null, retryAfter: "never" },
  NOT_FOUND: { kind: "outcome", status: null, clientFacing: true, log: null, retryAfter: "never" },
  PERSISTED_QUERY_NOT_FOUND: { kind: "outcome", status: null, clientFacing: true, log: null, retryAfter: "never" },
  PERSISTED_QUERY_NOT_SUPPORTED: { kind: "outcome", status: null, clientFacing: true, log: null, retryAfter: "never" },
  OPERATION_RESOLUTION_FAILURE: { kind: "outcome", status: null, clientFacing: true, log: null, retryAfter: "never" },
  SERVICE_UNAVAILABLE: { kind: "fault", status: 503, clientFacing: false, log: "fault", retryAfter: "when-given" },
  INTERNAL_SERVER_ERROR: { kind: "fault", status: 500, clientFacing: false, log: "fault", retryAfter: "never" },
} as const satisfies Record<string, ErrorCodeEntry>;

/** Every `extensions.code` a client can see. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The RFC 6750 challenge a reason earns: only failures of the bearer token itself do. `bare` is
 * `Bearer realm="…"` without an error (no token was presented, §3.1).
 */
export type BearerChallenge = "invalid_token" | "bare" | "insufficient_scope";

export interface ErrorReasonEntry {
  readonly code: ErrorCode;
  readonly challenge?: BearerChallenge;
  /** Logged as the client's mistake whatever its code says. */
  readonly clientMistake?: true;
}

export const ERROR_REASONS = {
  // The bearer token: the only reasons with a WWW-Authenticate challenge.
  MISSING_TOKEN: { code: "UNAUTHENTICATED", challenge: "bare" },
  TOKEN_EXPIRED: { code: "UNAUTHENTICATED", challenge: "invalid_token" },
  TOKEN_INVALID: { code: "UNAUTHENTICATED", challenge: "invalid_token" },
  MISSING_CLAIMS: { code: "FORBIDDEN", challenge: "insufficient_scope" },
  // Credentials and refresh tokens are no bearer tokens: a refused login or refresh gets no challenge.
  INVALID_CREDENTIALS: { code: "UNAUTHENTICATED" },
  REFRESH_TOKEN_MISSING: { code: "UNAUTHENTICATED" },
  REFRESH_TOKEN_INVALID: { code: "UNAUTHENTICATED" },
  REFRESH_TOKEN_EXPIRED: { code: "UNAUTHENTICATED" },
  REFRESH_TOKEN_ROTATED: { code: "UNAUTHENTICATED" },
  REFRESH_TOKEN_REUSED: { code: "UNAUTHENTICATED" },
  SESSION_EXPIRED: { code: "UNAUTHENTICATED" },
  ACCOUNT_DISABLED: { code: "FORBIDDEN" },
  ORIGIN_NOT_ALLOWED: { code: "FORBIDDEN" },
  SUBJECT_MISMATCH: { code: "FORBIDDEN" },
  NO_LOCAL_ACCOUNT: { code: "FORBIDDEN" },
  LOGIN_THROTTLED: { code: "TOO_MANY_REQUESTS" },
  LOGIN_BUSY: { code: "TOO_MANY_REQUESTS" },
  RATE_LIMITED: { code: "TOO_MANY_REQUESTS" },
  USER_NOT_FOUND: { code: "NOT_FOUND" },
  ROLE_NOT_FOUND: { code: "NOT_FOUND" },
  SESSION_NOT_FOUND: { code: "NOT_FOUND" },
  EMAIL_TAKEN: { code: "BAD_USER_INPUT" },
  EMAIL_TOKEN_EXPIRED: { code: "BAD_USER_INPUT" },
  EMAIL_TOKEN_INVALID: { code: "BAD_USER_INPUT" },
  INVALID_BODY: { code: "BAD_USER_INPUT" },
  INVALID_CLAIMS: { code: "BAD_USER_INPUT" },
  INVALID_EMAIL: { code: "BAD_USER_INPUT" },
  INVALID_PAGE_SIZE: { code: "BAD_USER_INPUT" },
  INVALID_PERMISSIONS: { code: "BAD_USER_INPUT" },
  INVALID_ROLE_NAME: { code: "BAD_USER_INPUT" },
  INVALID_TITLE: { code: "BAD_USER_INPUT" },
  PASSWORD_TOO_SHORT: { code: "BAD_USER_INPUT" },
  PASSWORD_TOO_LONG: { code: "BAD_USER_INPUT" },
  RESERVED_CLAIM: { code: "BAD_USER_INPUT" },
  ROLE_EXISTS: { code: "BAD_USER_INPUT" },
  INPUT_TOO_DEEP: { code: "BAD_USER_INPUT", clientMistake: true },
  OPERATION_TYPE_NOT_SERVED: { code: "BAD_REQUEST" },
  PERSISTED_QUERY_VERSION_UNSUPPORTED: { code: "BAD_REQUEST" },
  WEBSOCKET_ONLY: { code: "BAD_REQUEST" },
  PERSISTED_QUERY_HASH_MISMATCH: { code: "PERSISTED_QUERY_NOT_FOUND" },
  DATABASE_LOCKED: { code: "SERVICE_UNAVAILABLE" },
  DATABASE_READ_ONLY: { code: "SERVICE_UNAVAILABLE" },
  DATABASE_DISK_FULL: { code: "SERVICE_UNAVAILABLE" },
  DATABASE_IO_ERROR: { code: "SERVICE_UNAVAILABLE" },
  DATABASE_UNAVAILABLE: { code: "SERVICE_UNAVAILABLE" },
  DATABASE_CORRUPT: { code: "SERVICE_UNAVAILABLE" },
} as const satisfies Record<string, ErrorReasonEntry>;

/** Every `extensions.reason` a client can see. */
export type ErrorReason = keyof typeof ERROR_REASONS;

/** The table's entry for a code as it arrives in `extensions` (any value), or undefined for one it does not know. */
export function errorCodeEntry(code: unknown): ErrorCodeEntry | undefined {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCode] : undefined;
}

export function errorReasonEntry(reason: unknown): ErrorReasonEntry | undefined {
  return typeof reason === "string" && Object.hasOwn(ERROR_REASONS, reason) ? ERROR_REASONS[reason as ErrorReason] : undefined;
}

import type { TokenRejection, TokenRejectionReason } from "./caller.js";

/**
 * Every cause for refusing an access token, each with the reason clients see. Clients branch on
 * the reason only (refresh on TOKEN_EXPIRED, log in again on TOKEN_INVALID), so the codes can
 * grow without changing what they see; logs and tests read the code.
 */
export const TOKEN_VERIFICATION_CODES = {
  /** `exp` has passed. */
  EXPIRED: "TOKEN_EXPIRED",
  /** Issued longer ago than MAX_TOKEN_AGE, whatever its `exp` says. */
  TOO_OLD: "TOKEN_EXPIRED",
  /** The account's claims changed after it was issued (its `cv` is below the user's). */
  CLAIMS_CHANGED: "TOKEN_EXPIRED",
  /** `nbf` is in the future. */
  NOT_YET_VALID: "TOKEN_INVALID",
  /** `iat` is in the future. */
  ISSUED_IN_FUTURE: "TOKEN_INVALID",
  /** The signature does not verify with the selected key. */
  BAD_SIGNATURE: "TOKEN_INVALID",
  /** No key with its `kid` (and `alg`) is known. */
  UNKNOWN_KEY: "TOKEN_INVALID",
  /** It names no `kid` although its issuer publishes several keys. */
  KID_REQUIRED: "TOKEN_INVALID",
  /** Signed with an algorithm not allowed for its key or issuer. */
  ALGORITHM_NOT_ALLOWED: "TOKEN_INVALID",
  /** Its `typ` header is not one accepted. */
  WRONG_TYPE: "TOKEN_INVALID",
  /** Its `iss` is not the issuer whose key verified it. */
  WRONG_ISSUER: "TOKEN_INVALID",
  /** Its `iss` names an issuer this server does not trust at all. */
  UNTRUSTED_ISSUER: "TOKEN_INVALID",
  /** Its audience claim names another audience. */
  WRONG_AUDIENCE: "TOKEN_INVALID",
  /** A required claim is absent. */
  MISSING_CLAIM: "TOKEN_INVALID",
  /** A claim has the wrong type or shape (`sub`, `jti`, `sid`, `cv`, `iat`, …). */
  INVALID_CLAIM: "TOKEN_INVALID",
  /** Not a compact JWS with a JSON header and payload. */
  MALFORMED: "TOKEN_INVALID",
  /** The Authorization header is not `Bearer <token>`, or is too long. */
  MALFORMED_HEADER: "TOKEN_INVALID",
  /** Its issuer's keys could not be fetched, so it cannot be verified now. */
  ISSUER_KEYS_UNAVAILABLE: "TOKEN_INVALID",
  /** Its session ended (logout, password change, revocation). */
  SESSION_REVOKED: "TOKEN_INVALID",
  /** A provider's subject that may not act here (linkUsers: no or a disabled local account). */
  SUBJECT_NOT_ACCEPTED: "TOKEN_INVALID",
} as const satisfies Record<string, TokenRejectionReason>;

export type TokenVerificationCode = keyof typeof TOKEN_VERIFICATION_CODES;

/** The rejection a principal carries for a token refused for `cause`. */
export function tokenRejection(code: TokenVerificationCode, message: string): TokenRejection {
  return { reason: TOKEN_VERIFICATION_CODES[code], message, code };
}

/** An access token that must not be accepted; `message` is safe to show the caller. */
export class TokenVerificationError extends Error implements TokenRejection {
  readonly reason: TokenRejectionReason;

  constructor(
    /** The precise cause; `reason` is what clients see. */
    readonly code: TokenVerificationCode,
    message: string,
  ) {
    super(message);
    this.name = "TokenVerificationError";
    this.reason = TOKEN_VERIFICATION_CODES[code];
  }
}

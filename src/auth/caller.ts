import type { ErrorReason } from "../domain/error-vocabulary.js";
import type { VerifiedAccessToken } from "./access-token.js";
import type { TokenVerificationCode } from "./token-verification-error.js";

/**
 * The caller model: who sent a request, as every layer above `auth` sees it. Claims, the
 * principal, and why a caller has no claims (a rejected token, or none at all) live here so that
 * the authorization rules, the context and the transports share one vocabulary.
 */

/** Verified access-token claims, as decoded from the JWT payload. */
export type Claims = Readonly<Record<string, unknown>>;

/** What a client sees of a refused access token (`extensions.reason`); clients branch on these two. */
export type TokenRejectionReason = Extract<ErrorReason, "TOKEN_EXPIRED" | "TOKEN_INVALID">;

/** Why a presented access token was not accepted. The message never repeats the token. */
export interface TokenRejection {
  readonly reason: TokenRejectionReason;
  readonly message: string;
  /** The precise cause, for logs and tests; clients get `reason`. Absent where none was recorded. */
  readonly code?: TokenVerificationCode;
}

/** No access token where one is needed: the one rejection a client did not cause with a token. */
export interface MissingToken {
  readonly reason: Extract<ErrorReason, "MISSING_TOKEN">;
  readonly message: string;
}

export const MISSING_TOKEN: MissingToken = Object.freeze({
  reason: "MISSING_TOKEN",
  message: "No access token was presented: send `Authorization: Bearer <accessToken>` (the login mutation returns one).",
});

/**
 * What the request's context says about its caller: `claims` once a token verified,
 * null or undefined when anonymous, with `error` explaining a rejected token.
 */
export interface AuthState {
  readonly claims: Claims | null | undefined;
  readonly error?: TokenRejection | null;
}

export interface AuthContext {
  readonly auth?: AuthState | null;
}

/** The caller as the request's context sees it: verified claims, or why there are none. */
export interface Principal extends AuthState {
  readonly claims: VerifiedAccessToken["claims"] | null;
  /** The trusted external issuer of the token; absent for claimgate's own tokens. */
  readonly issuer?: string;
  /** The local user a provider's subject is linked to (linkUsers); claimgate's own tokens name theirs in `sub`. */
  readonly userId?: string;
}

/** A caller who presented no token. */
export const ANONYMOUS: Principal = Object.freeze({ claims: null, error: null });

/** Why this caller has no claims: its rejected token, MISSING_TOKEN when it sent none, null when it has claims. */
export function rejectionOf(state: AuthState | null | undefined): TokenRejection | MissingToken | null {
  if (state?.claims) return null;
  return state?.error ?? MISSING_TOKEN;
}

import type { Claims } from "../authz/match-claims.js";

export type TokenRejectionReason = "TOKEN_EXPIRED" | "TOKEN_INVALID";

/** Why a presented access token was not accepted. The message never repeats the token. */
export interface TokenRejection {
  readonly reason: TokenRejectionReason;
  readonly message: string;
}

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

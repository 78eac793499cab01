import type { AuthState } from "./auth-state.js";
import { type VerifiedAccessToken, verifyAccessToken, type VerifyAccessTokenOptions } from "./access-token.js";
import { extractBearerToken } from "./bearer-token.js";
import { TokenVerificationError } from "./token-verification-error.js";

/** The caller as the request's context sees it. */
export interface Principal extends AuthState {
  /** Whether an Authorization header was sent at all (RFC 6750 challenges differ). */
  readonly tokenPresented: boolean;
  readonly token: VerifiedAccessToken | null;
}

export const ANONYMOUS: Principal = Object.freeze({ claims: null, error: null, tokenPresented: false, token: null });

const SESSION_ENDED = Object.freeze({
  reason: "TOKEN_INVALID" as const,
  message: "The access token is invalid: its session has ended (logout, password change or revocation). Log in again.",
});

export interface Authenticator {
  authenticate(authorizationHeader: string | undefined): Promise<Principal>;
}

export interface CreateAuthenticatorOptions {
  verification: Omit<VerifyAccessTokenOptions, "now">;
  /** Sessions that have ended: their access tokens are refused before they expire. */
  revokedSessions?: { has(sessionId: string): boolean };
  /** Injected so tests can freeze time. @default () => new Date() */
  clock?: () => Date;
}

/**
 * Turns an Authorization header into a Principal. A bad token never throws: it yields an
 * anonymous principal with the reason attached, so public fields (login, refresh, viewer)
 * still work for a client holding an expired token.
 */
export function createAuthenticator(options: CreateAuthenticatorOptions): Authenticator {
  const clock = options.clock ?? (() => new Date());
  return {
    async authenticate(header) {
      const credential = extractBearerToken(header);
      if (credential.kind === "none") return ANONYMOUS;
      if (credential.kind === "malformed") {
        return { claims: null, error: { reason: "TOKEN_INVALID", message: credential.message }, tokenPresented: true, token: null };
      }
      try {
        const token = await verifyAccessToken(credential.token, { ...options.verification, now: clock() });
        if (options.revokedSessions?.has(token.claims.sid)) {
          return { claims: null, error: SESSION_ENDED, tokenPresented: true, token: null };
        }
        return { claims: token.claims, error: null, tokenPresented: true, token };
      } catch (error) {
        if (!(error instanceof TokenVerificationError)) throw error;
        return { claims: null, error: { reason: error.reason, message: error.message }, tokenPresented: true, token: null };
      }
    },
  };
}

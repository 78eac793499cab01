import { ANONYMOUS, type Principal } from "./caller.js";
import { type VerifiedAccessToken, verifyAccessToken, type VerifyAccessTokenOptions } from "./access-token.js";
import { decodeJwt } from "jose";
import { extractBearerToken } from "./bearer-token.js";
import { type ExternalIssuer, verifyExternalToken } from "./external-token.js";
import type { ExternalUserLinks } from "./external-users.js";
import type { RoleCatalog } from "./role-catalog.js";
import { expandExternalRoleClaims } from "../domain/role-claims.js";
import { tokenRejection, TokenVerificationError, type TokenVerificationCode } from "./token-verification-error.js";
import { type TokenCacheStats, VerifiedTokenCache } from "./verified-token-cache.js";

const CLAIMS_CHANGED =
  "The access token has expired: the account's claims changed since it was issued. Get a new one with the refresh mutation.";
const UNTRUSTED_ISSUER = "The access token is invalid: its iss claim names an issuer this server does not trust (see TRUSTED_ISSUERS).";
const SESSION_ENDED =
  "The access token is invalid: its session has ended (logout, password change or revocation). Log in again.";

export interface Authenticator {
  authenticate(authorizationHeader: string | undefined): Promise<Principal>;
  /** Hits and misses of the verified-token cache. */
  cacheStats(): TokenCacheStats;
}

export interface CreateAuthenticatorOptions {
  verification: Omit<VerifyAccessTokenOptions, "now">;
  /**
   * Sessions that have ended (their access tokens are refused before they expire) and users whose
   * claims changed (older tokens, by their `cv`, are refused as expired so clients refresh).
   */
  revokedSessions?: { has(sessionId: string): boolean; claimsVersionOf?(userId: string): number | undefined };
  /** Trusted external issuers by their exact `iss`; their tokens are verified with their own keys. */
  externalIssuers?: ReadonlyMap<string, ExternalIssuer>;
  /** Local users for the subjects of issuers with linkUsers. */
  externalUsers?: ExternalUserLinks;
  /** The role table, for issuers with expandRoles. */
  roleCatalog?: RoleCatalog;
  /** How many verified tokens to remember; 0 turns the cache off. @default 10000 */
  cacheSize?: number;
  /** Bytes the verified-token cache may hold, estimated from token lengths (see VerifiedTokenCache). @default 32 MiB */
  cacheBytes?: number;
  /** Injected so tests can freeze time. @default () => new Date() */
  clock?: () => Date;
}

const rejected = (code: TokenVerificationCode, message: string): Principal => ({ claims: null, error: tokenRejection(code, message) });

/** The `iss` a token claims, before verification: it only chooses which issuer's rules verify it. */
function unverifiedIssuer(token: string): string | undefined {
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns an Authorization header into a Principal. A bad token never throws: it yields an
 * anonymous principal with the reason attached, so public fields (login, refresh, viewer)
 * still work for a client holding an expired token.
 */
export function createAuthenticator(options: CreateAuthenticatorOptions): Authenticator {
  const clock = options.clock ?? (() => new Date());
  const externalIssuers = options.externalIssuers ?? new Map<string, ExternalIssuer>();
  const cache = new VerifiedTokenCache({
    maxEntries: options.cacheSize ?? 10_000,
    maxBytes: options.cacheBytes ?? 32 * 2 ** 20,
    clockToleranceSeconds: options.verification.tokens.clockToleranceSeconds,
    ...(options.verification.tokens.maxTokenAgeSeconds ? { maxTokenAgeSeconds: options.verification.tokens.maxTokenAgeSeconds } : {}),
  });
  // One principal object per cached token: a warm request allocates nothing here.
  const principals = new WeakMap<VerifiedAccessToken, Principal>();
  const principalOf = (token: VerifiedAccessToken): Principal => {
    let principal = principals.get(token);
    if (!principal) {
      principal = Object.freeze({ claims: token.claims, error: null });
      principals.set(token, principal);
    }
    return principal;
  };
  // External principals also depend on the role catalog's version (expandRoles), so they are recomputed when it changes.
  const externalPrincipals = new WeakMap<VerifiedAccessToken, { version: number; principal: Principal }>();
  const externalPrincipalOf = (token: VerifiedAccessToken, issuer: ExternalIssuer, linkedUserId: string | undefined): Principal => {
    const catalog = issuer.config.expandRoles ? options.roleCatalog : undefined;
    const version = catalog?.version ?? 0;
    const known = externalPrincipals.get(token);
    if (known && known.version === version) return known.principal;
    let claims = catalog ? expandExternalRoleClaims(token.claims, (name) => catalog.get(name)) : token.claims;
    // A linked subject acts as its local user: sub names it (so sub={arg} rules and authorship work), idp_sub keeps the provider's.
    if (linkedUserId !== undefined) claims = { ...claims, sub: linkedUserId, idp_sub: token.claims.sub };
    const principal: Principal = Object.freeze({
      claims,
      error: null,
      issuer: issuer.config.issuer,
      ...(linkedUserId === undefined ? {} : { userId: linkedUserId }),
    });
    externalPrincipals.set(token, { version, principal });
    return principal;
  };

  return {
    async authenticate(header) {
      const credential = extractBearerToken(header);
      if (credential.kind === "none") return ANONYMOUS;
      if (credential.kind === "malformed") return rejected("MALFORMED_HEADER", credential.message);
      const now = clock();
      let token = cache.get(credential.token, Math.floor(now.getTime() / 1000));
      if (token === undefined) {
        try {
          const iss = externalIssuers.size === 0 ? undefined : unverifiedIssuer(credential.token);
          const external = iss === undefined ? undefined : externalIssuers.get(iss);
          if (iss !== undefined && external === undefined && iss !== options.verification.tokens.issuer) {
            return rejected("UNTRUSTED_ISSUER", UNTRUSTED_ISSUER);
          }
          token = external
            ? await verifyExternalToken(credential.token, external, {
                clockToleranceSeconds: options.verification.tokens.clockToleranceSeconds,
                ...(options.verification.tokens.maxTokenAgeSeconds ? { maxTokenAgeSeconds: options.verification.tokens.maxTokenAgeSeconds } : {}),
                now,
              })
            : await verifyAccessToken(credential.token, { ...options.verification, now });
        } catch (error) {
          if (!(error instanceof TokenVerificationError)) throw error;
          return rejected(error.code, error.message);
        }
        cache.set(credential.token, token);
      }
      // External tokens belong to no session of ours and carry no claims version: the provider governs them.
      if (token.issuer !== undefined) {
        const issuer = externalIssuers.get(token.issuer)!;
        if (!issuer.config.linkUsers || !options.externalUsers) return externalPrincipalOf(token, issuer, undefined);
        const link = await options.externalUsers.resolve(token.issuer, token.claims.sub);
        if (link.refusal !== null) return rejected("SUBJECT_NOT_ACCEPTED", `The access token is not accepted: ${link.refusal}.`);
        return externalPrincipalOf(token, issuer, link.userId);
      }
      // Checked on every request, cached or not: a session may end at any time.
      const revoked = options.revokedSessions;
      if (revoked?.has(token.claims.sid!)) return rejected("SESSION_REVOKED", SESSION_ENDED);
      const floor = revoked?.claimsVersionOf?.(token.claims.sub);
      if (floor !== undefined && (token.claims.cv ?? 0) < floor) return rejected("CLAIMS_CHANGED", CLAIMS_CHANGED);
      return principalOf(token);
    },
    cacheStats: () => cache.stats(),
  };
}

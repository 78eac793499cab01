import { randomUUID } from "node:crypto";
import { decodeProtectedHeader, errors, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { verifyJwt } from "./jwt-verifier.js";
import type { TokenConfig } from "../config/config.js";
import { REGISTERED_CLAIM_NAMES } from "../domain/registered-claims.js";
import { signJwt } from "./jwt-signer.js";
import type { KeyRing, RingKey } from "./signing-keys.js";
import { TokenVerificationError, type TokenVerificationCode } from "./token-verification-error.js";

/** RFC 9068's media type for JWT access tokens, in its short form. */
export const ACCESS_TOKEN_TYPE = "at+jwt";

export interface VerifiedAccessToken {
  /** `sid` is absent from external tokens (see external-token.ts): they belong to no session of ours. */
  readonly claims: Readonly<JWTPayload & { sub: string; exp: number; iat: number; jti?: string; sid?: string; cv?: number }>;
  /** The ring key that verified it. */
  readonly kid: string;
  /** The trusted external issuer that signed it; absent for claimgate's own tokens. */
  readonly issuer?: string;
}

export interface SignAccessTokenOptions {
  keys: KeyRing;
  tokens: Pick<TokenConfig, "issuer" | "audience" | "accessTokenTtlSeconds">;
  subject: string;
  sessionId: string;
  /** The user's own claims; registered claim names among them are dropped. */
  claims: Readonly<Record<string, unknown>>;
  /** The user's claims version (`cv`): a later claim change makes this token stale. @default 0 */
  claimsVersion?: number;
  now: Date;
}

export async function signAccessToken(options: SignAccessTokenOptions): Promise<{ token: string; expiresIn: number }> {
  const own = Object.fromEntries(Object.entries(options.claims).filter(([name]) => !REGISTERED_CLAIM_NAMES.has(name)));
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  const token = await signJwt(
    options.keys.active,
    { typ: ACCESS_TOKEN_TYPE, kid: options.keys.active.kid },
    {
      ...own,
      sid: options.sessionId,
      cv: options.claimsVersion ?? 0,
      iss: options.tokens.issuer,
      aud: options.tokens.audience,
      sub: options.subject,
      iat: issuedAt,
      exp: issuedAt + options.tokens.accessTokenTtlSeconds,
      jti: randomUUID(),
    },
  );
  return { token, expiresIn: options.tokens.accessTokenTtlSeconds };
}

export interface VerifyAccessTokenOptions {
  keys: KeyRing;
  tokens: Pick<TokenConfig, "issuer" | "audience" | "clockToleranceSeconds"> & Partial<Pick<TokenConfig, "maxTokenAgeSeconds">>;
  now: Date;
}

/**
 * Verifies signature, algorithm, `kid`, `typ`, `iss`, `aud`, `sub`, `exp`, `iat`, `jti`, `sid` and `nbf`.
 * Every refusal is a TokenVerificationError with its cause as `code`, whose message never
 * repeats any part of the token; errors that are not verdicts on the token are rethrown.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  try {
    // Only `kid` selects a key, and only from the ring: jku, x5u, jwk and x5c are never followed.
    // A ring of one key needs no selection: jose verifies with it, then the kid must match.
    // Otherwise the key is chosen before verifyJwt (a key callback would cost an async hop).
    const single = options.keys.byKid.size === 1 ? options.keys.active : undefined;
    const key = single ?? selectKey(options.keys, protectedHeaderOf(token));
    const { payload, protectedHeader } = await verifyJwt(token, key.verificationKey, {
      algorithms: [key.alg],
      typ: ACCESS_TOKEN_TYPE,
      issuer: options.tokens.issuer,
      audience: options.tokens.audience,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: options.tokens.clockToleranceSeconds,
      currentDate: options.now,
      // RFC 8725 §3.10: a token far older than any we issue is refused whatever its exp says.
      ...(options.tokens.maxTokenAgeSeconds ? { maxTokenAge: options.tokens.maxTokenAgeSeconds } : {}),
    });
    if (protectedHeader.kid !== key.kid) throw new TokenVerificationError("UNKNOWN_KEY", UNKNOWN_KEY);
    for (const claim of ["sub", "jti", "sid"] as const) {
      if (typeof payload[claim] !== "string" || payload[claim] === "") {
        throw new TokenVerificationError("INVALID_CLAIM", `The access token is invalid: its ${claim} claim is not a non-empty string.`);
      }
    }
    if (payload["cv"] !== undefined && !Number.isSafeInteger(payload["cv"])) {
      throw new TokenVerificationError("INVALID_CLAIM", "The access token is invalid: its cv claim is not a whole number.");
    }
    if (payload.iat! > options.now.getTime() / 1000 + options.tokens.clockToleranceSeconds) {
      throw new TokenVerificationError("ISSUED_IN_FUTURE", "The access token is invalid: it was issued in the future.");
    }
    return { claims: payload as VerifiedAccessToken["claims"], kid: key.kid };
  } catch (error) {
    throw toVerificationError(error);
  }
}

/** The token's header, unverified; jose throws a TypeError for a malformed one, which is the token's fault, not a bug. */
function protectedHeaderOf(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new TokenVerificationError("MALFORMED", "The access token is invalid: it is not a well-formed signed JWT.");
  }
}

function selectKey(keys: KeyRing, header: ProtectedHeaderParameters): RingKey {
  const key = typeof header.kid === "string" ? keys.byKid.get(header.kid) : undefined;
  if (!key || key.alg !== header.alg) throw new TokenVerificationError("UNKNOWN_KEY", UNKNOWN_KEY);
  return key;
}

const REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "sid"];
const UNKNOWN_KEY = "The access token is invalid: it was not signed by a key this server knows.";

/** What each failed claim check means, and the message's words for it. */
const CLAIM_FAILURES: Readonly<Record<string, { code: TokenVerificationCode; why: string }>> = {
  typ: { code: "WRONG_TYPE", why: `its typ header is not ${ACCESS_TOKEN_TYPE}` },
  iss: { code: "WRONG_ISSUER", why: "its iss claim names another issuer" },
  aud: { code: "WRONG_AUDIENCE", why: "its aud claim names another audience" },
  nbf: { code: "NOT_YET_VALID", why: "it is not valid yet (nbf is in the future)" },
  iat: { code: "INVALID_CLAIM", why: "its iat claim is not a valid time" },
  sub: { code: "INVALID_CLAIM", why: "its sub claim is not valid" },
};

/**
 * The refusal for a failed verification. Only the library's verdicts on the token become
 * refusals; anything else (a TypeError from a key of the wrong kind, a RangeError, …) is a bug
 * or a misconfiguration and is rethrown, so it surfaces as a server error instead of a 401.
 */
export function toVerificationError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  if (error instanceof errors.JWTExpired && error.claim === "iat") {
    return new TokenVerificationError(
      "TOO_OLD",
      "The access token is older than this server accepts (MAX_TOKEN_AGE), whatever its exp says: get a new one with the refresh mutation.",
    );
  }
  if (error instanceof errors.JWTExpired) {
    return new TokenVerificationError("EXPIRED", "The access token has expired: get a new one with the refresh mutation.");
  }
  const invalid = (code: TokenVerificationCode, why: string) => new TokenVerificationError(code, `The access token is invalid: ${why}.`);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return invalid("MISSING_CLAIM", `it has no ${error.claim} claim`);
    const failure = CLAIM_FAILURES[error.claim] ?? { code: "INVALID_CLAIM", why: `its ${error.claim} claim is not valid` };
    return invalid(failure.code, failure.why);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("BAD_SIGNATURE", "its signature does not verify");
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid("ALGORITHM_NOT_ALLOWED", "it is signed with an algorithm this server does not accept");
  if (error instanceof errors.JOSEError) return invalid("MALFORMED", "it is not a well-formed signed JWT");
  throw error;
}

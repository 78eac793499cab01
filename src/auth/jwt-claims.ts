import { errors, type JWTPayload, type ProtectedHeaderParameters } from "jose";

/** The claim checks of jose's jwtVerify that claimgate uses, with times in seconds. */
export interface JwtClaimsOptions {
  /** The `typ` header wanted, compared as media types (`at+jwt` = `application/at+jwt`). */
  readonly typ?: string;
  readonly issuer?: string | readonly string[];
  /** Accepted if the token's `aud` (a string or a list) names any of these. */
  readonly audience?: string | readonly string[];
  /** Claims that must be present (whatever their value). */
  readonly requiredClaims?: readonly string[];
  readonly clockTolerance?: number;
  readonly currentDate?: Date;
  /** Refused when `iat` is older than this, whatever `exp` says. */
  readonly maxTokenAge?: number;
}

const CHECK_FAILED = "check_failed";
const normaliseTyp = (value: string) => (value.includes("/") ? value.toLowerCase() : `application/${value.toLowerCase()}`);

/**
 * jose's claim-set validation (lib/jwt_claims_set.js), in its order and with its errors, for the
 * options above; pure. Returns the payload when every check passes.
 */
export function validateJwtClaims(header: ProtectedHeaderParameters, payload: JWTPayload, options: JwtClaimsOptions): JWTPayload {
  const { typ, issuer, audience, maxTokenAge } = options;
  if (typ !== undefined && (typeof header.typ !== "string" || normaliseTyp(header.typ) !== normaliseTyp(typ))) {
    throw new errors.JWTClaimValidationFailed('unexpected "typ" JWT header value', payload, "typ", CHECK_FAILED);
  }
  const present = [...(options.requiredClaims ?? [])];
  if (maxTokenAge !== undefined) present.push("iat");
  if (audience !== undefined) present.push("aud");
  if (issuer !== undefined) present.push("iss");
  for (const claim of new Set(present.reverse())) {
    if (!Object.hasOwn(payload, claim)) throw new errors.JWTClaimValidationFailed(`missing required "${claim}" claim`, payload, claim, "missing");
  }
  const unexpected = (claim: string) => new errors.JWTClaimValidationFailed(`unexpected "${claim}" claim value`, payload, claim, CHECK_FAILED);
  if (issuer !== undefined && !(typeof issuer === "string" ? [issuer] : issuer).includes(payload.iss as string)) throw unexpected("iss");
  if (audience !== undefined && !audiencePresent(payload.aud, typeof audience === "string" ? [audience] : audience)) throw unexpected("aud");
  const tolerance = options.clockTolerance ?? 0;
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  const iat = numericDate(payload, "iat", maxTokenAge !== undefined);
  const nbf = numericDate(payload, "nbf", false);
  if (nbf !== undefined && nbf > now + tolerance) throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, "nbf", CHECK_FAILED);
  const exp = numericDate(payload, "exp", false);
  if (exp !== undefined && exp <= now - tolerance) throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, "exp", CHECK_FAILED);
  if (maxTokenAge !== undefined) {
    const age = now - iat!;
    if (age - tolerance > maxTokenAge) throw new errors.JWTExpired('"iat" claim timestamp check failed (too far in the past)', payload, "iat", CHECK_FAILED);
    if (age < -tolerance) throw new errors.JWTClaimValidationFailed('"iat" claim timestamp check failed (it should be in the past)', payload, "iat", CHECK_FAILED);
  }
  return payload;
}

function audiencePresent(value: unknown, wanted: readonly string[]): boolean {
  if (typeof value === "string") return wanted.includes(value);
  return Array.isArray(value) && wanted.some((audience) => value.includes(audience));
}

/** A time claim: absent (undefined) unless required, else it must be a number. */
function numericDate(payload: JWTPayload, claim: "iat" | "nbf" | "exp", required: boolean): number | undefined {
  const value = payload[claim];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "number") throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, payload, claim, "invalid");
  return value;
}

import type { JWTPayload } from "jose";
import { verifyJwt } from "./jwt-verifier.js";
import { ConfigError } from "../config/config-error.js";
import { normaliseTyp, type TrustedIssuer } from "../config/trusted-issuers.js";
import { type ClaimPath, ClaimPathSyntaxError, parseClaimPath, resolveClaimPath } from "../domain/claim-path.js";
import type { VerifiedAccessToken } from "./access-token.js";
import type { RemoteKeySet } from "./remote-key-set.js";
import { toVerificationError } from "./access-token.js";
import { TokenVerificationError } from "./token-verification-error.js";

/**
 * Claims the session machinery trusts in claimgate's own tokens: an external token never
 * presents them unless the issuer's mapping names them explicitly.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(["sid", "cv"]);

/** A trusted issuer ready for verification: its key set and its claim mapping, parsed once. */
export interface ExternalIssuer {
  readonly config: TrustedIssuer;
  readonly keys: RemoteKeySet;
  readonly mapping: readonly MappedClaim[];
}

interface MappedClaim {
  readonly target: string;
  readonly from: ClaimPath;
  readonly split: string | null;
}

/** Parses the mapping's paths; a bad one stops startup naming the issuer. */
export function prepareExternalIssuer(config: TrustedIssuer, keys: RemoteKeySet): ExternalIssuer {
  const problems: string[] = [];
  const mapping: MappedClaim[] = [];
  for (const [target, source] of Object.entries(config.claims)) {
    try {
      mapping.push({ target, from: parseClaimPath(source.from), split: source.split });
    } catch (error) {
      if (!(error instanceof ClaimPathSyntaxError)) throw error;
      problems.push(`TRUSTED_ISSUERS (${config.issuer}): claims.${target}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, keys, mapping };
}

export interface VerifyExternalTokenOptions {
  clockToleranceSeconds: number;
  maxTokenAgeSeconds?: number;
  now: Date;
}

const ALWAYS_REQUIRED = ["sub", "exp", "iat"];

/**
 * Verifies a token from a trusted issuer with the same strictness as our own: the key comes only
 * from that issuer's set (by kid), the algorithm from its allowlist (asymmetric only), and typ,
 * iss, aud, exp, nbf, iat and the maximum token age are all checked. Returns the mapped claims.
 */
export async function verifyExternalToken(token: string, issuer: ExternalIssuer, options: VerifyExternalTokenOptions): Promise<VerifiedAccessToken> {
  const { config } = issuer;
  try {
    let kid = "";
    const { payload, protectedHeader } = await verifyJwt(
      token,
      async (header) => {
        kid = typeof header.kid === "string" ? header.kid : "";
        return issuer.keys.getKey(header);
      },
      {
        algorithms: [...config.algorithms],
        issuer: config.issuer,
        ...(config.audienceClaim === "aud" ? { audience: [...config.audiences] } : {}),
        requiredClaims: [...new Set([...ALWAYS_REQUIRED, config.audienceClaim, ...config.requiredClaims])],
        clockTolerance: options.clockToleranceSeconds,
        currentDate: options.now,
        ...(options.maxTokenAgeSeconds ? { maxTokenAge: options.maxTokenAgeSeconds } : {}),
      },
    );
    if (config.audienceClaim !== "aud" && !audienceMatches(payload[config.audienceClaim], config.audiences)) {
      throw new TokenVerificationError("WRONG_AUDIENCE", `The access token is invalid: its ${config.audienceClaim} claim names another audience.`);
    }
    const typ = typeof protectedHeader.typ === "string" ? normaliseTyp(protectedHeader.typ) : null;
    if (!config.typ.includes(typ)) {
      throw new TokenVerificationError("WRONG_TYPE", `The access token is invalid: its typ header is not one its issuer's configuration accepts.`);
    }
    if (typeof payload.sub !== "string" || payload.sub === "") {
      throw new TokenVerificationError("INVALID_CLAIM", "The access token is invalid: its sub claim is not a non-empty string.");
    }
    if (payload.iat! > options.now.getTime() / 1000 + options.clockToleranceSeconds) {
      throw new TokenVerificationError("ISSUED_IN_FUTURE", "The access token is invalid: it was issued in the future.");
    }
    return { claims: mapClaims(payload, issuer) as VerifiedAccessToken["claims"], kid, issuer: config.issuer };
  } catch (error) {
    const refusal = toVerificationError(error);
    // Our own refusals point at the refresh mutation; a provider's token is renewed at the provider.
    if (refusal.reason !== "TOKEN_EXPIRED") throw refusal;
    throw new TokenVerificationError(refusal.code, refusal.message.replace("with the refresh mutation", "from its identity provider"));
  }
}

function audienceMatches(value: unknown, audiences: readonly string[]): boolean {
  if (typeof value === "string") return audiences.includes(value);
  return Array.isArray(value) && value.some((item) => typeof item === "string" && audiences.includes(item));
}

/** The token's claims with reserved ones dropped, then the issuer's mapping applied (mapped claims win). */
export function mapClaims(payload: JWTPayload, issuer: Pick<ExternalIssuer, "mapping">): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload)) if (!RESERVED_CLAIMS.has(name)) claims[name] = value;
  for (const { target, from, split } of issuer.mapping) {
    let value = resolveClaimPath(payload, from);
    if (split !== null && typeof value === "string") value = value.split(split).filter((part) => part !== "");
    if (value === undefined) delete claims[target];
    else claims[target] = value;
  }
  return claims;
}

import { EXTERNAL_ALGORITHMS, type ExternalAlgorithm, isExternalAlgorithm } from "./algorithm-keys.js";

/**
 * TRUSTED_ISSUERS: identity providers whose access tokens are accepted alongside claimgate's own.
 * A JSON array such as
 *   [{"issuer":"https://idp.example.com/realms/main","audiences":["claimgate"],
 *     "typ":["at+jwt","JWT"],"claims":{"roles":"realm_access.roles","scope":{"from":"scp","split":" "}}}]
 * Parsing is pure; problems are appended to `problems`, each naming the issuer.
 */


/** Where a mapped claim comes from: a claim path, optionally split (a space-separated string becomes an array). */
export interface ClaimSource {
  /** A claim path in the requirement grammar: `realm_access.roles`, `'https://example.com/roles'`. */
  readonly from: string;
  /** Splits a string value into an array on this separator (`" "` for OAuth scope strings). */
  readonly split: string | null;
}

export interface TrustedIssuer {
  /** Exactly the `iss` its tokens carry. */
  readonly issuer: string;
  /** At least one must appear in the token's `aud` (or `audienceClaim`). */
  readonly audiences: readonly string[];
  /** The claim holding the audience: `aud`, or `client_id` for providers whose access tokens carry none (Cognito). @default "aud" */
  readonly audienceClaim: string;
  /** null: found through `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUri: string | null;
  /** @default ["RS256"] */
  readonly algorithms: readonly ExternalAlgorithm[];
  /** Accepted `typ` headers, compared case-insensitively without `application/`; null accepts a token without one. @default ["at+jwt"] */
  readonly typ: readonly (string | null)[];
  /** Claims a token must carry besides `sub`, `exp` and `iat` (always required). */
  readonly requiredClaims: readonly string[];
  /** Target claim name → where its value comes from. */
  readonly claims: Readonly<Record<string, ClaimSource>>;
  /** The first token of each subject creates (or finds) a local user keyed by (issuer, sub). @default false */
  readonly linkUsers: boolean;
  /** Roles the token names (in role or roles, after mapping) that exist in claimgate's role table add their permissions. @default false */
  readonly expandRoles: boolean;
}

/** How remote key sets are fetched and cached; the same for every issuer. */
export interface RemoteKeyPolicy {
  /** A fetch (discovery or JWKS) that takes longer is abandoned. @default 3 */
  readonly timeoutSeconds: number;
  /** After a fetch, an unknown `kid` triggers no other fetch for this long. @default 30 */
  readonly cooldownSeconds: number;
  /** Cache-Control max-age is honoured but not below this. @default 60 */
  readonly minCacheSeconds: number;
  /** Cache-Control max-age is honoured but not above this (nor is a set without one kept longer). @default 3600 */
  readonly maxCacheSeconds: number;
}

const KEYS = new Set(["issuer", "audiences", "audienceClaim", "jwksUri", "algorithms", "typ", "requiredClaims", "claims", "linkUsers", "expandRoles"]);

export function parseTrustedIssuers(json: string, source: string, problems: string[]): TrustedIssuer[] {
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    problems.push(`${source} is not valid JSON (expected an array of issuer objects)`);
    return [];
  }
  if (!Array.isArray(entries)) {
    problems.push(`${source} must be a JSON array of issuer objects`);
    return [];
  }
  const issuers: TrustedIssuer[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const parsed = parseIssuer(entry, `${source}[${index}]`, problems);
    if (!parsed) return;
    if (seen.has(parsed.issuer)) problems.push(`${source} lists the issuer "${parsed.issuer}" twice`);
    seen.add(parsed.issuer);
    issuers.push(parsed);
  });
  return issuers;
}

function parseIssuer(entry: unknown, position: string, problems: string[]): TrustedIssuer | null {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    problems.push(`${position} must be an object with at least issuer and audiences`);
    return null;
  }
  const raw = entry as Record<string, unknown>;
  const issuer = typeof raw["issuer"] === "string" && raw["issuer"] !== "" ? raw["issuer"] : null;
  const name = issuer === null ? position : `${position} (${issuer})`;
  const before = problems.length;
  const problem = (text: string) => problems.push(`${name}: ${text}`);
  if (issuer === null) problem("issuer is required: the exact iss of the provider's tokens");
  const unknown = Object.keys(raw).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) problem(`unknown key${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} (known: ${[...KEYS].join(", ")})`);

  const audiences = stringList(raw["audiences"]);
  if (audiences === null || audiences.length === 0) problem("audiences is required: a non-empty list of the aud values this API accepts");
  const audienceClaim = raw["audienceClaim"] === undefined ? "aud" : raw["audienceClaim"];
  if (typeof audienceClaim !== "string" || !/^[A-Za-z_][A-Za-z0-9_:.-]*$/.test(audienceClaim)) problem("audienceClaim must be a claim name such as aud or client_id");
  const jwksUri = raw["jwksUri"] === undefined ? null : raw["jwksUri"];
  if (jwksUri !== null && (typeof jwksUri !== "string" || !isHttpUrl(jwksUri))) problem("jwksUri must be an http(s) URL");
  if (jwksUri === null && issuer !== null && !isHttpUrl(issuer)) {
    problem("jwksUri is required when the issuer is not an http(s) URL (discovery needs <issuer>/.well-known/openid-configuration)");
  }
  const algorithms = raw["algorithms"] === undefined ? ["RS256"] : stringList(raw["algorithms"]);
  if (algorithms === null || algorithms.length === 0) problem("algorithms must be a non-empty list");
  for (const alg of algorithms ?? []) {
    if (!isExternalAlgorithm(alg)) {
      problem(`algorithm ${alg} is not accepted (asymmetric only: ${EXTERNAL_ALGORITHMS.join(", ")})`);
    }
  }
  const typ = raw["typ"] === undefined ? ["at+jwt"] : raw["typ"];
  const typOk = Array.isArray(typ) && typ.length > 0 && typ.every((value) => value === null || (typeof value === "string" && value !== ""));
  if (!typOk) problem('typ must be a non-empty list of header values such as ["at+jwt", "JWT"] (null accepts tokens without typ)');
  const requiredClaims = raw["requiredClaims"] === undefined ? [] : stringList(raw["requiredClaims"]);
  if (requiredClaims === null) problem("requiredClaims must be a list of claim names");
  const claims = parseClaimMapping(raw["claims"], problem);
  const linkUsers = raw["linkUsers"] === undefined ? false : raw["linkUsers"];
  if (typeof linkUsers !== "boolean") problem("linkUsers must be true or false");
  const expandRoles = raw["expandRoles"] === undefined ? false : raw["expandRoles"];
  if (typeof expandRoles !== "boolean") problem("expandRoles must be true or false");

  if (problems.length > before) return null;
  return Object.freeze({
    issuer: issuer!,
    audiences: Object.freeze(audiences!),
    audienceClaim: audienceClaim as string,
    jwksUri: jwksUri as string | null,
    algorithms: Object.freeze(algorithms as ExternalAlgorithm[]),
    typ: Object.freeze((typ as (string | null)[]).map((value) => (value === null ? null : normaliseTyp(value)))),
    requiredClaims: Object.freeze(requiredClaims!),
    claims,
    linkUsers: linkUsers as boolean,
    expandRoles: expandRoles as boolean,
  });
}

function parseClaimMapping(value: unknown, problem: (text: string) => void): Readonly<Record<string, ClaimSource>> {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problem('claims must be an object mapping a claim name to a path or {"from": path, "split": " "}');
    return {};
  }
  const mapping: Record<string, ClaimSource> = {};
  for (const [target, source] of Object.entries(value)) {
    if (target === "" || target === "iss" || target === "sub") {
      problem(`claims cannot map "${target}" (iss and sub always come from the token itself)`);
      continue;
    }
    if (typeof source === "string" && source !== "") {
      mapping[target] = Object.freeze({ from: source, split: null });
      continue;
    }
    if (typeof source === "object" && source !== null && !Array.isArray(source)) {
      const { from, split, ...rest } = source as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) problem(`claims.${target} has unknown key${extra.length === 1 ? "" : "s"} ${extra.join(", ")} (known: from, split)`);
      else if (typeof from !== "string" || from === "") problem(`claims.${target}.from must be a claim path`);
      else if (split !== undefined && (typeof split !== "string" || split === "")) problem(`claims.${target}.split must be a non-empty separator such as " "`);
      else mapping[target] = Object.freeze({ from, split: (split as string | undefined) ?? null });
      continue;
    }
    problem(`claims.${target} must be a claim path or {"from": path, "split": " "}`);
  }
  return Object.freeze(mapping);
}

/** RFC 7515 §4.1.9: `application/` may be omitted, and media types compare case-insensitively. */
export function normaliseTyp(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item !== "") ? (value as string[]) : null;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Claim paths: how a requirement or a claim mapping names a claim.
 *
 *   permissions                      a top-level claim
 *   realm_access.roles               dots walk into objects…
 *   https://example.com/roles        …unless the whole name is a top-level claim: that matches literally first
 *   'https://example.com/a.b'        single quotes force a literal name (a segment may not contain ')
 *   resource_access.'my.app'.roles   quoted segments inside a path
 *
 * `scope` and `scp` are OAuth scope claims (RFC 9068 §2.2.3, Entra ID): a space-separated string
 * is read as the set of its words, so `scope=posts:read` matches "openid posts:read".
 * Pure; parsed once per requirement or mapping.
 */

export interface ClaimPath {
  readonly source: string;
  /** The names to walk through, quotes removed. */
  readonly segments: readonly string[];
  /** The source has no quotes: try it as one top-level name before walking. */
  readonly literalFirst: boolean;
}

export class ClaimPathSyntaxError extends Error {
  readonly code = "ERR_CLAIM_PATH_SYNTAX";
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`invalid claim path "${source}": ${reason}`);
    this.name = "ClaimPathSyntaxError";
  }
}

/** Scope claims whose space-separated string value is matched as a set of words. */
export const SCOPE_CLAIMS: ReadonlySet<string> = new Set(["scope", "scp"]);

export function parseClaimPath(source: string): ClaimPath {
  const fail = (reason: string): never => {
    throw new ClaimPathSyntaxError(source, reason);
  };
  if (source === "") fail("it is empty");
  if (!source.includes("'")) {
    const segments = source.split(".");
    // A name with empty segments ("a..b", ".a") can still match literally; it just never walks.
    return { source, segments: segments.some((segment) => segment === "") ? [source] : segments, literalFirst: true };
  }
  const segments: string[] = [];
  let rest = source;
  for (;;) {
    if (rest.startsWith("'")) {
      const close = rest.indexOf("'", 1);
      if (close === -1) fail("a quote is not closed");
      if (close === 1) fail("a quoted name is empty");
      segments.push(rest.slice(1, close));
      rest = rest.slice(close + 1);
    } else {
      const end = rest.search(/[.']/);
      const segment = end === -1 ? rest : rest.slice(0, end);
      if (segment === "") fail("a segment is empty (a dot must separate two names)");
      if (end !== -1 && rest[end] === "'") fail("a quote may only open a segment (write 'name' between dots)");
      segments.push(segment);
      rest = end === -1 ? "" : rest.slice(end);
    }
    if (rest === "") break;
    if (!rest.startsWith(".")) fail("a quoted name must be followed by a dot or the end");
    rest = rest.slice(1);
    if (rest === "") fail("it ends with a dot");
  }
  return { source, segments, literalFirst: false };
}

/** The claim's value, or undefined when the path leads nowhere. Inherited properties never count. */
export function resolveClaimPath(claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let value: unknown;
  if (path.literalFirst && Object.hasOwn(claims, path.source)) {
    value = claims[path.source];
  } else if (path.segments.length === 1 && path.literalFirst) {
    return undefined;
  } else {
    value = claims;
    for (const segment of path.segments) {
      if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
  }
  if (path.segments.length === 1 && typeof value === "string" && SCOPE_CLAIMS.has(path.segments[0]!)) return scopeWords(value);
  return value;
}

/** Whether resolving needs more than `claims[name]`: a path, or a scope claim read as a set. */
export function isPlainClaimName(path: ClaimPath): boolean {
  return path.literalFirst && path.segments.length === 1 && !SCOPE_CLAIMS.has(path.source);
}

function scopeWords(value: string): string[] {
  return value.split(" ").filter((word) => word !== "");
}

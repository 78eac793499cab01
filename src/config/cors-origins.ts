/**
 * Browser origins allowed to call the API (CORS_ORIGINS), each one of:
 * - an exact origin: `https://app.example.com`, `http://127.0.0.1:5173`;
 * - any port of one scheme and host: `http://localhost:*` (development servers pick ports freely);
 * - `*`: any origin, but never with credentials (no cookies, no cookie mode), as the Fetch standard requires.
 */
export type OriginPattern =
  | { readonly kind: "exact"; readonly origin: string }
  | { readonly kind: "any-port"; readonly prefix: string }
  | { readonly kind: "any" };

export const DEVELOPMENT_CORS_ORIGINS = ["http://localhost:*", "http://127.0.0.1:*", "https://studio.apollographql.com"] as const;

/** Parses a comma- or space-separated list, adding one problem per entry it cannot use. */
export function parseCorsOrigins(text: string, problems: string[]): OriginPattern[] {
  const patterns: OriginPattern[] = [];
  for (const entry of text.split(/[\s,]+/).filter((item) => item !== "")) {
    if (entry === "*") {
      patterns.push({ kind: "any" });
      continue;
    }
    const anyPort = /^(https?:\/\/[^/:*]+):\*$/i.exec(entry);
    if (anyPort) {
      patterns.push({ kind: "any-port", prefix: `${anyPort[1]!.toLowerCase()}:` });
      continue;
    }
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    if (url === null || !/^https?:$/.test(url.protocol) || url.origin !== entry.toLowerCase().replace(/\/$/, "") || entry.includes("*")) {
      problems.push(
        `CORS_ORIGINS entries must be origins such as https://app.example.com, http://localhost:* (any port) or * (got "${entry}")`,
      );
      continue;
    }
    patterns.push({ kind: "exact", origin: url.origin });
  }
  return patterns;
}

/** How an Origin header fares against the list: listed origins may send credentials, `*` only allows anonymous reads. */
export function matchOrigin(patterns: readonly OriginPattern[], origin: string | undefined): "listed" | "any" | "refused" {
  if (origin === undefined || origin === "null") return "refused";
  const normalized = origin.toLowerCase();
  let wildcard = false;
  for (const pattern of patterns) {
    if (pattern.kind === "any") wildcard = true;
    else if (pattern.kind === "exact" ? pattern.origin === normalized : isPortOf(pattern.prefix, normalized)) return "listed";
  }
  return wildcard ? "any" : "refused";
}

function isPortOf(prefix: string, origin: string): boolean {
  return origin.startsWith(prefix) && /^\d{1,5}$/.test(origin.slice(prefix.length));
}

/** The text form of a pattern, for logs and documentation. */
export function describeOriginPattern(pattern: OriginPattern): string {
  return pattern.kind === "any" ? "*" : pattern.kind === "exact" ? pattern.origin : `${pattern.prefix}*`;
}

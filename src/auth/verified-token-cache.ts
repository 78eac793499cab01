import type { VerifiedAccessToken } from "./access-token.js";

export interface TokenCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
  /** Estimated bytes held (see entryBytes). */
  readonly bytes: number;
}

/**
 * What one entry costs, estimated from the token's length: the token string (one byte a
 * character), its decoded claims (about as large again) and ~350 bytes of objects (the verified
 * token, its principal, the Map entry). `npm run bench` measures about 1.1 KiB an entry for a
 * 487-character token, which this puts at 1.3 KiB: the byte budget errs on the safe side.
 */
export function entryBytes(token: string): number {
  return 2 * token.length + 350;
}

/**
 * Access tokens that verified, keyed by the exact token string, so a client repeating its token
 * skips the signature check (a Map lookup instead of ~60 µs of HMAC, more for ES256).
 * Bounded both in entries and in estimated bytes, so a few huge tokens cannot take what many
 * ordinary ones would (least recently inserted entries go first), and `exp`/`nbf` are checked again on every
 * hit, exactly as verification checks them, so a hit never accepts what verification would refuse.
 * One cache per key ring: a new ring starts empty. Failures are not cached, so garbage cannot
 * crowd out good entries.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedAccessToken>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #toleranceSeconds: number;
  readonly #maxAgeSeconds: number;
  #hits = 0;
  #misses = 0;

  constructor(options: { maxEntries: number; maxBytes?: number; clockToleranceSeconds: number; maxTokenAgeSeconds?: number }) {
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#toleranceSeconds = options.clockToleranceSeconds;
    this.#maxAgeSeconds = options.maxTokenAgeSeconds ?? Infinity;
  }

  /** The verified token, or undefined when it is not cached or no longer inside its validity window. */
  get(token: string, nowSeconds: number): VerifiedAccessToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    const { exp, nbf, iat } = entry.claims;
    if (
      exp <= nowSeconds - this.#toleranceSeconds ||
      iat + this.#maxAgeSeconds < nowSeconds - this.#toleranceSeconds ||
      (typeof nbf === "number" && nbf > nowSeconds + this.#toleranceSeconds)
    ) {
      // Verification decides (and explains) from here on.
      this.#delete(token);
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return entry;
  }

  set(token: string, verified: VerifiedAccessToken): void {
    const cost = entryBytes(token);
    if (this.#maxEntries <= 0 || cost > this.#maxBytes) return;
    this.#delete(token);
    while (this.#entries.size >= this.#maxEntries || this.#bytes + cost > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#delete(oldest.value);
    }
    this.#entries.set(token, verified);
    this.#bytes += cost;
  }

  #delete(token: string): void {
    if (this.#entries.delete(token)) this.#bytes -= entryBytes(token);
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): TokenCacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size, bytes: this.#bytes };
  }
}

import type { VerifiedAccessToken } from "./access-token.js";

export interface TokenCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

/**
 * Access tokens that verified, keyed by the exact token string, so a client repeating its token
 * skips the signature check (a Map lookup instead of ~60 µs of HMAC, more for ES256).
 * Bounded (least recently inserted entries go first), and `exp`/`nbf` are checked again on every
 * hit, exactly as verification checks them, so a hit never accepts what verification would refuse.
 * One cache per key ring: a new ring starts empty. Failures are not cached, so garbage cannot
 * crowd out good entries.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedAccessToken>();
  readonly #maxEntries: number;
  readonly #toleranceSeconds: number;
  readonly #maxAgeSeconds: number;
  #hits = 0;
  #misses = 0;

  constructor(options: { maxEntries: number; clockToleranceSeconds: number; maxTokenAgeSeconds?: number }) {
    this.#maxEntries = options.maxEntries;
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
      this.#entries.delete(token);
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return entry;
  }

  set(token: string, verified: VerifiedAccessToken): void {
    if (this.#maxEntries <= 0) return;
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, verified);
  }

  clear(): void {
    this.#entries.clear();
  }

  stats(): TokenCacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}

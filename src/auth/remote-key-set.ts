import { createPublicKey, type JsonWebKey, type webcrypto } from "node:crypto";
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters, type JWK } from "jose";
import { EXTERNAL_ALGORITHMS, jwkTypesFor } from "../config/algorithm-keys.js";
import type { RemoteKeyPolicy } from "../config/trusted-issuers.js";
import { TokenVerificationError } from "./token-verification-error.js";

/** A key set larger than this is refused: no provider publishes megabytes of keys. */
const MAX_RESPONSE_BYTES = 512 * 1024;
/** JWK types of the keys a provider's token may be verified with: those of the asymmetric algorithms. */
const PUBLIC_KEY_TYPES = jwkTypesFor(EXTERNAL_ALGORITHMS);
/** Used when the provider sends no Cache-Control max-age (then bounded by the policy). */
const DEFAULT_CACHE_SECONDS = 600;

export interface RemoteKeySetOptions {
  issuer: string;
  /** null: discovered through `<issuer>/.well-known/openid-configuration`. */
  jwksUri: string | null;
  policy: RemoteKeyPolicy;
  /** Cache ages and cooldowns are measured with it, so tests can move time. */
  clock: () => Date;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Every fetch attempt, for logs. */
  onFetch?: (event: RemoteKeyFetchEvent) => void;
}

export type RemoteKeyFetchEvent =
  | { readonly event: "jwks_fetched"; readonly issuer: string; readonly keys: number; readonly cacheSeconds: number }
  | { readonly event: "jwks_fetch_failed"; readonly issuer: string; readonly error: string };

export interface RemoteKeySetStatus {
  /** Keys were loaded at least once: tokens signed with them verify even while the provider is down. */
  readonly loaded: boolean;
  /** Why the last fetch failed, or null when it succeeded (or none ran yet). */
  readonly lastError: string | null;
  /** Fetches attempted (discovery and key set count as one). */
  readonly fetches: number;
}

/**
 * One issuer's public keys, fetched over HTTP and cached. The rules:
 * - fetched once, then kept for the provider's Cache-Control max-age, bounded by the policy;
 * - after that a token still verifies with the cached keys while a refresh runs in the background
 *   (so a provider outage never refuses tokens signed with keys we already hold);
 * - an unknown `kid` refetches at once, but at most one fetch starts per cooldown, whatever the
 *   traffic (a flood of random kids costs the provider one request per cooldown);
 * - concurrent callers share one fetch; each fetch gives up after the policy's timeout;
 * - encryption keys, keys of a type no external algorithm uses (symmetric `oct` keys above
 *   all, see algorithm-keys.ts), and keys that cannot be used (malformed, RSA under 2048 bits) are
 *   ignored: only usable public signing keys count.
 */
export class RemoteKeySet {
  readonly #options: RemoteKeySetOptions;
  readonly #fetch: typeof fetch;
  #jwksUri: string | null;
  #local: ReturnType<typeof createLocalJWKSet> | null = null;
  #keyCount = 0;
  #expiresAt = 0;
  #lastAttemptAt = -Infinity;
  #lastError: string | null = null;
  #inflight: Promise<void> | null = null;
  #fetches = 0;

  constructor(options: RemoteKeySetOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#jwksUri = options.jwksUri;
  }

  get issuer(): string {
    return this.#options.issuer;
  }

  status(): RemoteKeySetStatus {
    return { loaded: this.#local !== null, lastError: this.#lastError, fetches: this.#fetches };
  }

  /** Loads the keys if they never were (respecting the cooldown); for startup and readiness. */
  async ensureLoaded(): Promise<RemoteKeySetStatus> {
    if (this.#local === null) await this.#refresh();
    return this.status();
  }

  /** The key for a token's header; throws TokenVerificationError with a reason the caller may read. */
  async getKey(header: JWSHeaderParameters): Promise<webcrypto.CryptoKey> {
    if (this.#local === null) {
      await this.#refresh();
      if (this.#local === null) throw this.#unavailable();
    } else if (this.#now() >= this.#expiresAt) {
      // Stale: keep verifying with what we hold while the refresh runs.
      void this.#refresh();
    }
    if (typeof header.kid !== "string" && this.#keyCount > 1) {
      throw new TokenVerificationError("KID_REQUIRED", "The access token is invalid: it has no kid header, and its issuer publishes several keys.");
    }
    try {
      return await this.#local!(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    }
    // An unknown kid may be a key the provider just rotated in: look once, within the cooldown.
    await this.#refresh();
    try {
      return await this.#local!(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const down = this.#lastError === null ? "" : ` (and its key set could not be refreshed: ${this.#lastError})`;
      throw new TokenVerificationError("UNKNOWN_KEY", `The access token is invalid: it was not signed by a key its issuer publishes${down}.`);
    }
  }

  #now(): number {
    return this.#options.clock().getTime();
  }

  #unavailable(): TokenVerificationError {
    return new TokenVerificationError(
      "ISSUER_KEYS_UNAVAILABLE",
      `The access token cannot be verified: the keys of its issuer could not be fetched (${this.#lastError ?? "not attempted yet"}); try again shortly.`,
    );
  }

  /** Starts a fetch unless one is running (then joins it) or one started within the cooldown. */
  #refresh(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const now = this.#now();
    if (now - this.#lastAttemptAt < this.#options.policy.cooldownSeconds * 1000) return Promise.resolve();
    this.#lastAttemptAt = now;
    this.#fetches++;
    this.#inflight = this.#load()
      .then(
        ({ jwks, local, cacheSeconds }) => {
          this.#local = local;
          this.#keyCount = jwks.keys.length;
          this.#expiresAt = this.#now() + cacheSeconds * 1000;
          this.#lastError = null;
          this.#options.onFetch?.({ event: "jwks_fetched", issuer: this.#options.issuer, keys: jwks.keys.length, cacheSeconds });
        },
        (error: unknown) => {
          this.#lastError = describeFailure(error);
          this.#options.onFetch?.({ event: "jwks_fetch_failed", issuer: this.#options.issuer, error: this.#lastError });
        },
      )
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  async #load(): Promise<{ jwks: JSONWebKeySet; local: ReturnType<typeof createLocalJWKSet>; cacheSeconds: number }> {
    if (this.#jwksUri === null) {
      const discoveryUrl = `${this.#options.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
      const { body } = await this.#getJson(discoveryUrl, "discovery");
      const document = body as { issuer?: unknown; jwks_uri?: unknown };
      // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
      if (document.issuer !== this.#options.issuer) throw new Error(`the discovery document names another issuer`);
      if (typeof document.jwks_uri !== "string" || !/^https?:\/\//.test(document.jwks_uri)) throw new Error("the discovery document has no http(s) jwks_uri");
      this.#jwksUri = document.jwks_uri;
    }
    const { body, cacheControl } = await this.#getJson(this.#jwksUri, "key set");
    const keys = (body as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new Error("the key set has no keys array");
    const signing = keys.filter(
      (key): key is JWK =>
        typeof key === "object" && key !== null && PUBLIC_KEY_TYPES.has((key as JWK).kty as string) && (key as JWK).use !== "enc" && isUsablePublicKey(key as JWK),
    );
    if (signing.length === 0) throw new Error("the key set has no usable public signing keys");
    const jwks = { keys: signing };
    return { jwks, local: createLocalJWKSet(jwks), cacheSeconds: this.#cacheSeconds(cacheControl) };
  }

  async #getJson(url: string, what: string): Promise<{ body: unknown; cacheControl: string | null }> {
    const response = await this.#fetch(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(this.#options.policy.timeoutSeconds * 1000),
    });
    if (!response.ok) throw new Error(`${what} answered HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new Error(`${what} is larger than ${MAX_RESPONSE_BYTES} bytes`);
    try {
      return { body: JSON.parse(text), cacheControl: response.headers.get("cache-control") };
    } catch {
      throw new Error(`${what} is not JSON`);
    }
  }

  #cacheSeconds(cacheControl: string | null): number {
    const { minCacheSeconds, maxCacheSeconds } = this.#options.policy;
    const directives = (cacheControl ?? "").toLowerCase();
    const maxAge = /(?:^|[,\s])max-age=(\d+)/.exec(directives);
    const wanted = /no-store|no-cache/.test(directives) ? 0 : maxAge ? Number(maxAge[1]) : DEFAULT_CACHE_SECONDS;
    return Math.min(maxCacheSeconds, Math.max(minCacheSeconds, wanted));
  }
}

/**
 * Whether node:crypto can read the JWK as a public key, an RSA one of at least 2048 bits (RFC 7518
 * §3.3). A provider's malformed or weak key is left out of the set: a token naming it is refused
 * as signed by a key its issuer does not publish (401), where verifying with it would be a server
 * error (500) that anyone could trigger by naming its kid.
 */
function isUsablePublicKey(jwk: JWK): boolean {
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
    return key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  } catch {
    return false;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "the provider did not answer in time";
  if (error instanceof TypeError) return "the provider could not be reached";
  if (error instanceof errors.JOSEError) return "the key set is malformed";
  return error instanceof Error ? error.message : "unknown error";
}

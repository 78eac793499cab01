/**
 * The one table of JWS algorithms and the keys they need. Every place that treats an algorithm
 * specially (parsing JWT_KEYS and TRUSTED_ISSUERS, importing ring keys, generating keys, reading
 * a provider's key set) looks it up here instead of comparing strings, and the table must name
 * every listed algorithm (`satisfies Record<…>`): an algorithm added to a list without its key
 * type does not compile.
 */

/** Algorithms for claimgate's own key ring (JWT_KEYS, JWT_SECRET). */
export const KEY_ALGORITHMS = ["HS256", "RS256", "ES256", "EdDSA"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** Asymmetric algorithms only: a provider's public key can never double as an HMAC secret. */
export const EXTERNAL_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;
export type ExternalAlgorithm = (typeof EXTERNAL_ALGORITHMS)[number];

export type Algorithm = KeyAlgorithm | ExternalAlgorithm;

/** A shared secret, for HMAC. */
export interface SecretKeyType {
  readonly kty: "oct";
  /** The WebCrypto hash HMAC uses with it. */
  readonly hash: "SHA-256" | "SHA-384" | "SHA-512";
  readonly requirement: string;
}

/** One half of a key pair, as Node's KeyObject and a JWK describe it. */
export interface AsymmetricKeyType {
  readonly kty: "RSA" | "EC" | "OKP";
  /** `KeyObject.asymmetricKeyType`. */
  readonly nodeType: "rsa" | "ec" | "ed25519";
  /** The JWK `crv` (EC, OKP); Node's name for an EC curve differs (see nodeCurve). */
  readonly crv?: "P-256" | "P-384" | "P-521" | "Ed25519";
  /** `KeyObject.asymmetricKeyDetails.namedCurve` for EC keys. */
  readonly nodeCurve?: "prime256v1" | "secp384r1" | "secp521r1";
  /** RFC 7518 §3.3 asks for 2048 bits at least. */
  readonly minModulusBits?: number;
  /** What the error says a key for this algorithm must be. */
  readonly requirement: string;
}

export type AlgorithmKeyType = SecretKeyType | AsymmetricKeyType;

const RSA: AsymmetricKeyType = { kty: "RSA", nodeType: "rsa", minModulusBits: 2048, requirement: "an RSA key of at least 2048 bits" };
const P256: AsymmetricKeyType = { kty: "EC", nodeType: "ec", crv: "P-256", nodeCurve: "prime256v1", requirement: "an EC key on the P-256 curve" };
const P384: AsymmetricKeyType = { kty: "EC", nodeType: "ec", crv: "P-384", nodeCurve: "secp384r1", requirement: "an EC key on the P-384 curve" };
const P521: AsymmetricKeyType = { kty: "EC", nodeType: "ec", crv: "P-521", nodeCurve: "secp521r1", requirement: "an EC key on the P-521 curve" };
const ED25519: AsymmetricKeyType = { kty: "OKP", nodeType: "ed25519", crv: "Ed25519", requirement: "an Ed25519 key" };

/** The key each algorithm requires. */
export const ALGORITHM_KEYS = {
  HS256: { kty: "oct", hash: "SHA-256", requirement: "a shared secret" },
  RS256: RSA,
  RS384: RSA,
  RS512: RSA,
  PS256: RSA,
  PS384: RSA,
  PS512: RSA,
  ES256: P256,
  ES384: P384,
  ES512: P521,
  EdDSA: ED25519,
  Ed25519: ED25519,
} as const satisfies Record<Algorithm, AlgorithmKeyType>;

/** The key type `alg` requires. */
export function keyTypeOf(alg: Algorithm): AlgorithmKeyType {
  return ALGORITHM_KEYS[alg];
}

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return (KEY_ALGORITHMS as readonly unknown[]).includes(value);
}

export function isExternalAlgorithm(value: unknown): value is ExternalAlgorithm {
  return (EXTERNAL_ALGORITHMS as readonly unknown[]).includes(value);
}

/** JWK key types a provider's key set may hold for these algorithms; other keys are ignored. */
export function jwkTypesFor(algorithms: readonly ExternalAlgorithm[]): ReadonlySet<string> {
  return new Set(algorithms.map((alg) => ALGORITHM_KEYS[alg].kty));
}

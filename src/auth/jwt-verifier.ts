import { constants, createHmac, KeyObject, timingSafeEqual, verify, type webcrypto } from "node:crypto";
import { errors, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { ALGORITHM_KEYS, type Algorithm } from "../config/algorithm-keys.js";
import { validateJwtClaims, type JwtClaimsOptions } from "./jwt-claims.js";

/**
 * Verifies compact JWTs with node:crypto, synchronously, with jose's semantics and errors.
 * jose verifies through `crypto.subtle`, which queues every verification as a thread-pool job:
 * an HS256 check that costs a few microseconds took about 90 µs and two thread hand-offs, paid
 * for every new access token in every process (with N processes behind a balancer, N times per
 * token). The checks are jose's, in jose's order, and failures are jose's error classes, so
 * callers map them as before; test/unit/jwt-verifier.test.ts holds the two to the same verdicts
 * on every algorithm and every kind of bad token, and test/unit/jwt-verifier-hostile.test.ts
 * fuzzes them against each other. Stricter than jose where RFC 7515 is: segments must be unpadded
 * base64url (jose on Node 20 also accepts padding and whitespace), and a segment that is not is
 * refused as JWSInvalid before any signature check (jose checks the signature first, so it says
 * JWSSignatureVerificationFailed for a payload with a stray character, or JWTInvalid for an
 * unencoded `b64: false` one); and `crit` must not name a parameter twice.
 */

type CryptoKey = webcrypto.CryptoKey;
export type VerificationKey = CryptoKey | KeyObject;
/** Chooses the key from the (not yet verified) header, as jose's key callbacks do. */
export type KeyResolver = (header: ProtectedHeaderParameters) => VerificationKey | Promise<VerificationKey>;

export interface VerifyJwtOptions extends JwtClaimsOptions {
  /** The algorithms accepted; anything else is refused before a key is even chosen. */
  readonly algorithms: readonly string[];
}

export interface VerifiedJwt {
  readonly payload: JWTPayload;
  readonly protectedHeader: ProtectedHeaderParameters;
}

export async function verifyJwt(token: string, key: VerificationKey | KeyResolver, options: VerifyJwtOptions): Promise<VerifiedJwt> {
  if (typeof token !== "string") throw new errors.JWSInvalid("Compact JWS must be a string or Uint8Array");
  const segments = token.split(".");
  if (segments.length !== 3) throw new errors.JWSInvalid("Invalid Compact JWS");
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const header = parseObject(encodedHeader, () => new errors.JWSInvalid("JWS Protected Header is invalid")) as ProtectedHeaderParameters;
  const b64 = unencodedPayloadFlag(header);
  const { alg } = header;
  if (typeof alg !== "string" || !alg) throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  if (!options.algorithms.includes(alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  if (!isBase64url(encodedPayload)) throw new errors.JWSInvalid("Failed to base64url decode the payload");
  const resolved = typeof key === "function" ? await key(header) : key;
  const signature = decodeBase64url(encodedSignature, () => new errors.JWSInvalid("Failed to base64url decode the signature"));
  const verifier = VERIFIERS[alg as Algorithm];
  if (!verifier) throw new errors.JOSENotSupported(`Unsupported JWS algorithm: ${alg}`);
  const keyObject = usableKey(resolved, alg as Algorithm);
  let verified: boolean;
  try {
    verified = verifier(`${encodedHeader}.${encodedPayload}`, keyObject, signature);
  } catch (cause) {
    throw new errors.JWSSignatureVerificationFailed(undefined, { cause });
  }
  if (!verified) throw new errors.JWSSignatureVerificationFailed();
  if (!b64) throw new errors.JWTInvalid("JWTs MUST NOT use unencoded payload");
  const payload = parseObject(encodedPayload, () => new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object")) as JWTPayload;
  return { payload: validateJwtClaims(header, payload, options), protectedHeader: header };
}

type Verifier = (input: string, key: KeyObject, signature: Buffer) => boolean;

const hmac = (hash: string): Verifier => (input, key, signature) => {
  const expected = createHmac(hash, key).update(input).digest();
  return expected.length === signature.length && timingSafeEqual(expected, signature);
};
// The padding is named, not left to the key: Node verifies with PSS by default when handed an
// RSA-PSS key, which would let an "RS256" header pass with a PSS signature.
const pkcs1 = (hash: string): Verifier => (input, key, signature) =>
  verify(hash, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PADDING }, signature);
// RFC 7518 §3.5: PSS with MGF1 and a salt as long as the hash, as WebCrypto's verify uses.
const pss = (hash: string): Verifier => (input, key, signature) =>
  verify(hash, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
// JWS signs ECDSA as the raw r‖s pair (RFC 7518 §3.4); a pair of the wrong length never verifies.
const ecdsa =
  (hash: string, bytes: number): Verifier =>
  (input, key, signature) =>
    signature.length === bytes && verify(hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }, signature);
const ed25519: Verifier = (input, key, signature) => verify(null, Buffer.from(input), key, signature);

/** One entry per algorithm claimgate accepts anywhere (the `satisfies` makes a new one fail to compile until it is verified here). */
const VERIFIERS = {
  HS256: hmac("sha256"),
  RS256: pkcs1("sha256"),
  RS384: pkcs1("sha384"),
  RS512: pkcs1("sha512"),
  PS256: pss("sha256"),
  PS384: pss("sha384"),
  PS512: pss("sha512"),
  ES256: ecdsa("sha256", 64),
  ES384: ecdsa("sha384", 96),
  ES512: ecdsa("sha512", 132),
  EdDSA: ed25519,
  Ed25519: ed25519,
} as const satisfies Record<Algorithm, Verifier>;

/**
 * What a CryptoKey must have been imported for to verify each algorithm (jose's checkCryptoKey):
 * a CryptoKey is bound to one WebCrypto algorithm, hash and curve, and its usages must include
 * "verify". Its KeyObject forgets all of that, so it is checked on the CryptoKey itself.
 */
interface CryptoKeyAlgorithm {
  readonly name: string;
  readonly hash?: string;
  readonly namedCurve?: string;
}
const CRYPTO_KEY_ALGORITHMS = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  RS384: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
  RS512: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" },
  PS256: { name: "RSA-PSS", hash: "SHA-256" },
  PS384: { name: "RSA-PSS", hash: "SHA-384" },
  PS512: { name: "RSA-PSS", hash: "SHA-512" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  ES384: { name: "ECDSA", namedCurve: "P-384" },
  ES512: { name: "ECDSA", namedCurve: "P-521" },
  EdDSA: { name: "Ed25519" },
  Ed25519: { name: "Ed25519" },
} as const satisfies Record<Algorithm, CryptoKeyAlgorithm>;

/** Why a CryptoKey cannot verify `alg`, or null when it can. */
function cryptoKeyMismatch(key: CryptoKey, alg: Algorithm): string | null {
  const wanted: CryptoKeyAlgorithm = CRYPTO_KEY_ALGORITHMS[alg];
  // HMAC, RSA keys carry their hash as { name } (WebCrypto's KeyAlgorithm dictionaries).
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  const hash = algorithm.hash?.name;
  if (algorithm.name !== wanted.name) return `its algorithm is ${algorithm.name}, not ${wanted.name}`;
  if (wanted.hash !== undefined && hash !== wanted.hash) return `its hash is ${String(hash)}, not ${wanted.hash}`;
  if (wanted.namedCurve !== undefined && algorithm.namedCurve !== wanted.namedCurve) return `its curve is ${String(algorithm.namedCurve)}, not ${wanted.namedCurve}`;
  if (!key.usages.includes("verify")) return 'its usages do not include "verify"';
  return null;
}

const keyObjects = new WeakMap<CryptoKey, KeyObject>();
/** (key, alg) pairs already found usable, so the key's details are examined once. */
const usable = new WeakMap<VerificationKey, Set<string>>();

/**
 * The key as a KeyObject, if it is of the kind `alg` needs (as jose requires): a secret for HMAC,
 * the algorithm's curve, an RSA modulus of 2048 bits or more (never an "rsa-pss" KeyObject, which
 * jose refuses too), and a CryptoKey imported for exactly this algorithm. A key of the wrong kind
 * is a misconfiguration, not a bad token: a TypeError, as jose throws.
 */
function usableKey(key: VerificationKey, alg: Algorithm): KeyObject {
  let object: KeyObject;
  if (key instanceof KeyObject) object = key;
  else {
    object = keyObjects.get(key) ?? KeyObject.from(key);
    keyObjects.set(key, object);
  }
  const known = usable.get(key);
  if (known?.has(alg)) return object;
  const wanted = ALGORITHM_KEYS[alg];
  const fits =
    wanted.kty === "oct"
      ? object.type === "secret"
      : object.type === "public" &&
        object.asymmetricKeyType === wanted.nodeType &&
        (wanted.nodeCurve === undefined || object.asymmetricKeyDetails?.namedCurve === wanted.nodeCurve) &&
        (wanted.minModulusBits === undefined || (object.asymmetricKeyDetails?.modulusLength ?? 0) >= wanted.minModulusBits);
  if (!fits) throw new TypeError(`the key cannot verify ${alg}: ${alg} needs ${wanted.requirement}`);
  const mismatch = key instanceof KeyObject ? null : cryptoKeyMismatch(key, alg);
  if (mismatch) throw new TypeError(`the CryptoKey cannot verify ${alg}: ${mismatch}`);
  if (known) known.add(alg);
  else usable.set(key, new Set([alg]));
  return object;
}

/**
 * The `b64` header (RFC 7797) and `crit`, checked as jose checks them: `crit` must list non-empty,
 * distinct, understood names (only `b64`), each present. Returns whether the payload is encoded.
 */
function unencodedPayloadFlag(header: ProtectedHeaderParameters): boolean {
  const { crit } = header;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => typeof name !== "string" || name.length === 0)) {
    throw new errors.JWSInvalid('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  }
  if (new Set(crit).size !== crit.length) throw new errors.JWSInvalid('"crit" (Critical) Header Parameter MUST NOT contain duplicate values');
  for (const name of crit) {
    if (name !== "b64") throw new errors.JOSENotSupported(`Extension Header Parameter "${name}" is not recognized`);
    if (!Object.hasOwn(header, name) || header[name] === undefined) throw new errors.JWSInvalid(`Extension Header Parameter "${name}" is missing`);
  }
  if (typeof header.b64 !== "boolean") throw new errors.JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
  return header.b64;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const isBase64url = (text: string) => BASE64URL.test(text) && text.length % 4 !== 1;

function decodeBase64url(text: string, invalid: () => Error): Buffer {
  if (!isBase64url(text)) throw invalid();
  return Buffer.from(text, "base64url");
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A segment holding a JSON object (not an array, not null, not a class instance), as jose parses it. */
function parseObject(segment: string, invalid: () => Error): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(decodeBase64url(segment, invalid)));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid();
  return parsed as Record<string, unknown>;
}

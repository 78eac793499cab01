import { createHash, createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject, webcrypto } from "node:crypto";
import { readFile } from "node:fs/promises";
import { calculateJwkThumbprint, importJWK, importPKCS8, type JWK } from "jose";
import { ConfigError } from "../config/config-error.js";
import { ALGORITHM_KEYS, type AsymmetricKeyType, type KeyAlgorithm } from "../config/algorithm-keys.js";
import type { KeyMaterial, KeyRingConfig, KeySpec } from "../config/key-specs.js";
import { weakSecretReason } from "../config/secret-strength.js";

type CryptoKey = webcrypto.CryptoKey;

/** One key of the ring, imported once: re-importing per verification costs more than verifying. */
export interface RingKey {
  readonly kid: string;
  readonly alg: KeyAlgorithm;
  /** null for verification-only keys (previous keys kept while their tokens expire). */
  readonly signingKey: CryptoKey | null;
  readonly verificationKey: CryptoKey;
  /** The public half as published in the JWKS; null for a shared secret (HS256). */
  readonly publicJwk: JWK | null;
}

export interface SigningKey extends RingKey {
  readonly signingKey: CryptoKey;
}

export interface KeyRing {
  readonly active: SigningKey;
  /** Every key a token may be verified with, by `kid`: the active key and previous ones. */
  readonly byKid: ReadonlyMap<string, RingKey>;
  /** The explicit algorithm allowlist for verification: exactly the algorithms of the ring. */
  readonly algorithms: readonly KeyAlgorithm[];
  /** `GET /.well-known/jwks.json`: the public keys of the ring. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

/** Loads (from files where configured) and imports every key of the ring. */
export async function loadKeyRing(config: KeyRingConfig): Promise<KeyRing> {
  const problems: string[] = [];
  const keys: RingKey[] = [];
  for (const [index, spec] of config.keys.entries()) {
    try {
      keys.push(await importRingKey(spec));
    } catch (error) {
      problems.push(`key ${spec.kid ?? `#${index + 1}`} (${spec.alg}): ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const kids = keys.map((key) => key.kid);
  const repeated = kids.filter((kid, index) => kids.indexOf(kid) !== index);
  if (repeated.length > 0) throw new ConfigError([`two keys share kid ${repeated[0]}`]);
  const active = (config.activeKid === null
    ? keys.find((key) => key.signingKey !== null)
    : keys.find((key) => key.kid === config.activeKid && key.signingKey !== null)) as SigningKey | undefined;
  if (!active) throw new ConfigError(["the key ring has no key to sign with"]);

  return {
    active,
    byKid: new Map(keys.map((key) => [key.kid, key])),
    algorithms: [...new Set(keys.map((key) => key.alg))],
    jwks: { keys: keys.flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])) },
  };
}

/** A ring of one HS256 key: the shape JWT_SECRET and the development secret take. */
export function createHmacKeyRing(secret: string): Promise<KeyRing> {
  return loadKeyRing({ keys: [{ kid: null, alg: "HS256", privateKey: { inline: secret }, publicKey: null }], activeKid: null });
}

async function readMaterial(material: KeyMaterial): Promise<string> {
  if ("inline" in material) return material.inline;
  try {
    return (await readFile(material.file, "utf8")).trim();
  } catch (error) {
    throw new Error(`cannot read ${material.file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

async function importRingKey(spec: KeySpec): Promise<RingKey> {
  const keyType = ALGORITHM_KEYS[spec.alg];
  if (keyType.kty === "oct") {
    const secret = await readMaterial(spec.privateKey!);
    const weakness = weakSecretReason(secret);
    if (weakness) throw new Error(`the secret is too weak: ${weakness}`);
    const bytes = new TextEncoder().encode(secret);
    const key = await webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: keyType.hash }, false, ["sign", "verify"]);
    const kid = spec.kid ?? `${spec.alg.toLowerCase()}-${createHash("sha256").update("claimgate-kid").update(bytes).digest("base64url").slice(0, 12)}`;
    return { kid, alg: spec.alg, signingKey: key, verificationKey: key, publicJwk: null };
  }

  const privateText = spec.privateKey ? await readMaterial(spec.privateKey) : null;
  const publicText = spec.publicKey ? await readMaterial(spec.publicKey) : null;
  const given = privateText === null ? toKeyObject(publicText!, "public") : toKeyObject(privateText, "private");
  // Checked before anything else uses the key: a key of the wrong type stops startup naming both.
  const mismatch = keyTypeMismatch(given, spec.alg, keyType);
  if (mismatch) throw new Error(mismatch);
  const privateObject = privateText === null ? null : given;
  const publicObject = privateObject ? createPublicKey(privateObject) : given;

  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicFields } = publicObject.export({ format: "jwk" }) as JWK;
  const kid = spec.kid ?? (await calculateJwkThumbprint(publicFields as JWK));
  const publicJwk: JWK = { ...publicFields, kid, alg: spec.alg, use: "sig" };
  const signingKey = privateObject
    ? await importPKCS8(privateObject.export({ format: "pem", type: "pkcs8" }) as string, spec.alg)
    : null;
  const verificationKey = (await importJWK(publicJwk, spec.alg)) as CryptoKey;
  return { kid, alg: spec.alg, signingKey, verificationKey, publicJwk };
}

function toKeyObject(text: string, kind: "private" | "public"): KeyObject {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith("{")) {
      const jwk = JSON.parse(trimmed) as JsonWebKey;
      // A symmetric JWK is a secret, never either half of a key pair.
      if (jwk.kty === "oct") return createSecretKey(Buffer.from(String(jwk.k ?? ""), "base64url"));
      return kind === "private" ? createPrivateKey({ key: jwk, format: "jwk" }) : createPublicKey({ key: jwk, format: "jwk" });
    }
    return kind === "private" ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  } catch {
    throw new Error(`the ${kind} key is neither a PEM nor a JWK this server can read`);
  }
}

/** Why `key` cannot serve `alg` (the table's key type), or null when it can. */
export function keyTypeMismatch(key: KeyObject, alg: KeyAlgorithm, keyType: AsymmetricKeyType): string | null {
  const actual = key.type === "secret" ? "a shared secret" : `a key of type ${key.asymmetricKeyType ?? "unknown"}`;
  const refuse = `${alg} needs ${keyType.requirement}, not ${actual}`;
  if (key.type === "secret" || key.asymmetricKeyType !== keyType.nodeType) return refuse;
  const details = key.asymmetricKeyDetails;
  if (keyType.nodeCurve !== undefined && details?.namedCurve !== keyType.nodeCurve) return `${alg} needs ${keyType.requirement}, not one on ${details?.namedCurve ?? "an unknown curve"}`;
  if (keyType.minModulusBits !== undefined && (details?.modulusLength ?? 0) < keyType.minModulusBits) {
    return `${alg} needs ${keyType.requirement}, not one of ${details?.modulusLength ?? 0} bits`;
  }
  return null;
}

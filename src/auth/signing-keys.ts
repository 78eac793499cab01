import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, webcrypto } from "node:crypto";
import { readFile } from "node:fs/promises";
import { calculateJwkThumbprint, importJWK, importPKCS8, type JWK } from "jose";
import { ConfigError } from "../config/config-error.js";
import type { KeyAlgorithm, KeyMaterial, KeyRingConfig, KeySpec } from "../config/key-specs.js";
import { weakSecretReason } from "../config/secret-strength.js";

type CryptoKey = webcrypto.CryptoKey;

/** One key of the ring, imported once: re-importing per verification costs more than verifying. */
export interface RingKey {
  readonly kid: string;
  readonly alg: KeyAlgorithm;
  /** null for verification-only keys (previous keys kept while their tokens expire). */
  readonly signingKey: CryptoKey | null;
  readonly verificationKey: CryptoKey;
  /** The public half as published in the JWKS; null for HS256, whose key is secret. */
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

const MIN_RSA_BITS = 2048;

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
  if (spec.alg === "HS256") {
    const secret = await readMaterial(spec.privateKey!);
    const weakness = weakSecretReason(secret);
    if (weakness) throw new Error(`the secret is too weak: ${weakness}`);
    const bytes = new TextEncoder().encode(secret);
    const key = await webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    const kid = spec.kid ?? `hs256-${createHash("sha256").update("claimgate-kid").update(bytes).digest("base64url").slice(0, 12)}`;
    return { kid, alg: "HS256", signingKey: key, verificationKey: key, publicJwk: null };
  }

  const privateText = spec.privateKey ? await readMaterial(spec.privateKey) : null;
  const publicText = spec.publicKey ? await readMaterial(spec.publicKey) : null;
  const privateObject = privateText === null ? null : toKeyObject(privateText, "private");
  const publicObject = privateObject ? createPublicKey(privateObject) : toKeyObject(publicText!, "public");
  checkKeyType(publicObject, spec.alg);

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
      return kind === "private" ? createPrivateKey({ key: jwk, format: "jwk" }) : createPublicKey({ key: jwk, format: "jwk" });
    }
    return kind === "private" ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  } catch {
    throw new Error(`the ${kind} key is neither a PEM nor a JWK this server can read`);
  }
}

function checkKeyType(key: KeyObject, alg: KeyAlgorithm): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  if (alg === "RS256") {
    if (type !== "rsa") throw new Error(`RS256 needs an RSA key, not ${type}`);
    if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) throw new Error(`RSA keys need at least ${MIN_RSA_BITS} bits`);
  } else if (alg === "ES256") {
    if (type !== "ec" || details?.namedCurve !== "prime256v1") throw new Error("ES256 needs an EC key on the P-256 curve");
  } else if (alg === "EdDSA") {
    if (type !== "ed25519") throw new Error("EdDSA needs an Ed25519 key");
  }
}

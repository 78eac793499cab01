import { createHmac, KeyObject, sign, type webcrypto } from "node:crypto";
import type { KeyAlgorithm } from "../config/algorithm-keys.js";
import type { SigningKey } from "./signing-keys.js";

/**
 * Signs compact JWS (RFC 7515) with node:crypto instead of WebCrypto. jose signs through
 * `crypto.subtle`, which queues every signature as a thread-pool job and resolves a promise when
 * it returns: about 30 µs of CPU and two thread hand-offs for an HMAC that takes 3 µs, paid by
 * every login and refresh. HMAC, ECDSA and Ed25519 are cheap enough to run inline; RSA (about a
 * millisecond) still runs on the thread pool so it never stalls the event loop. Verification
 * is jwt-verifier.ts, for the same reason.
 */
export function signJwt(key: SigningKey, header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): Promise<string> {
  const input = `${encodeSegment({ ...header, alg: key.alg })}.${encodeSegment(payload)}`;
  const signer = SIGNERS[key.alg];
  const keyObject = keyObjectOf(key.signingKey);
  if (signer.inline) return Promise.resolve(`${input}.${signer.sign(input, keyObject).toString("base64url")}`);
  return new Promise((resolve, reject) => {
    sign(signer.hash, Buffer.from(input), keyObject, (error, signature) => (error ? reject(error) : resolve(`${input}.${signature.toString("base64url")}`)));
  });
}

type Signer = { readonly inline: true; sign(input: string, key: KeyObject): Buffer } | { readonly inline: false; readonly hash: string };

/** One entry per algorithm of the ring (the `satisfies` makes a new one fail to compile until it is signed here). */
const SIGNERS = {
  HS256: { inline: true, sign: (input, key) => createHmac("sha256", key).update(input).digest() },
  // JWS wants the raw r‖s pair (RFC 7518 §3.4), not the DER structure OpenSSL produces by default.
  ES256: { inline: true, sign: (input, key) => sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }) },
  EdDSA: { inline: true, sign: (input, key) => sign(null, Buffer.from(input), key) },
  RS256: { inline: false, hash: "sha256" },
} as const satisfies Record<KeyAlgorithm, Signer>;

const encodeSegment = (value: Readonly<Record<string, unknown>>) => Buffer.from(JSON.stringify(value)).toString("base64url");

type CryptoKey = webcrypto.CryptoKey;

/** The ring imports keys as CryptoKeys (jose verifies with them); their KeyObject twin is made once per key. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();
function keyObjectOf(key: CryptoKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = KeyObject.from(key);
    keyObjects.set(key, object);
  }
  return object;
}

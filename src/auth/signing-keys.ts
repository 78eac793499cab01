import { createHash, webcrypto } from "node:crypto";

/** A key the server signs access tokens with; verification accepts exactly its algorithm. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: "HS256";
  readonly key: webcrypto.CryptoKey;
}

export interface KeyRing {
  readonly active: SigningKey;
  /** Every key a token may be verified with, by `kid`; the active key included. */
  readonly byKid: ReadonlyMap<string, SigningKey>;
  readonly algorithms: readonly string[];
}

/**
 * Imports an HMAC secret once, as a non-extractable CryptoKey: re-importing raw bytes on
 * every verification costs more than the verification itself.
 * The `kid` is a fingerprint of the secret, so rotating the secret rotates the kid.
 */
export async function createHmacKeyRing(secret: string): Promise<KeyRing> {
  const bytes = new TextEncoder().encode(secret);
  const key = await webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const kid = `hs256-${createHash("sha256").update("claimgate-kid").update(bytes).digest("base64url").slice(0, 12)}`;
  const active: SigningKey = { kid, alg: "HS256", key };
  return { active, byKid: new Map([[kid, active]]), algorithms: ["HS256"] };
}

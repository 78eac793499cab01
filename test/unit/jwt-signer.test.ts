import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { signJwt } from "../../src/auth/jwt-signer.js";
import { createHmacKeyRing, type KeyRing, loadKeyRing } from "../../src/auth/signing-keys.js";
import { KEY_ALGORITHMS, type KeyAlgorithm } from "../../src/config/algorithm-keys.js";
import { generatePemKeyPair } from "../support/test-keys.js";

async function ringFor(alg: KeyAlgorithm): Promise<KeyRing> {
  if (alg === "HS256") return createHmacKeyRing("a-test-secret-that-is-long-enough-for-hs256-0123456789");
  return loadKeyRing({ keys: [{ kid: null, alg, privateKey: { inline: generatePemKeyPair(alg).privateKey }, publicKey: null }], activeKid: null });
}

const payload = { sub: "user-1", sid: "session-1", roles: ["admin"], iat: 1_700_000_000, exp: 1_700_000_900, name: "Zoë ✓" };

describe("signJwt", () => {
  // Every algorithm of the ring: a token this signer makes is one jose accepts with the algorithm pinned.
  it.each(KEY_ALGORITHMS)("signs %s tokens that jose verifies with the ring's verification key", async (alg) => {
    const ring = await ringFor(alg);
    const token = await signJwt(ring.active, { typ: "at+jwt", kid: ring.active.kid }, payload);
    const verified = await jwtVerify(token, ring.active.verificationKey, { algorithms: [alg], typ: "at+jwt", currentDate: new Date(1_700_000_100_000) });
    expect(verified.protectedHeader).toEqual({ alg, typ: "at+jwt", kid: ring.active.kid });
    expect(verified.payload).toEqual(payload);
  });

  it("writes ECDSA signatures as the raw r‖s pair JWS requires (64 bytes for ES256), not DER", async () => {
    const ring = await ringFor("ES256");
    const token = await signJwt(ring.active, { kid: ring.active.kid }, payload);
    expect(Buffer.from(token.split(".")[2]!, "base64url")).toHaveLength(64);
  });

  it("always names the key's own algorithm: a header cannot claim another", async () => {
    const ring = await ringFor("HS256");
    const token = await signJwt(ring.active, { alg: "none", kid: ring.active.kid }, payload);
    expect(decodeProtectedHeader(token).alg).toBe("HS256");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const ring = await ringFor("EdDSA");
    const [header, , signature] = (await signJwt(ring.active, { kid: ring.active.kid }, payload)).split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...payload, roles: ["root"] })).toString("base64url")}.${signature}`;
    await expect(jwtVerify(forged, ring.active.verificationKey, { algorithms: ["EdDSA"], currentDate: new Date(1_700_000_100_000) })).rejects.toThrow(/signature/);
  });
});

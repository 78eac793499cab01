import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/auth/access-token.js";
import { loadKeyRing } from "../../src/auth/signing-keys.js";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { generatePemKeyPair } from "../support/test-keys.js";

const tokens = { issuer: "urn:i", audience: "urn:a", accessTokenTtlSeconds: 60, clockToleranceSeconds: 0 };
const now = new Date();
const ringFrom = (keys: unknown[], activeKid?: string) =>
  loadKeyRing(parseConfig({ JWT_KEYS: JSON.stringify(keys), ...(activeKid ? { JWT_ACTIVE_KID: activeKid } : {}) }).tokens.keyRing!);
const sign = async (ring: Awaited<ReturnType<typeof loadKeyRing>>) =>
  (await signAccessToken({ keys: ring, tokens, subject: "u", sessionId: "s", claims: {}, now })).token;
const verify = (ring: Awaited<ReturnType<typeof loadKeyRing>>, token: string) => verifyAccessToken(token, { keys: ring, tokens, now });

describe("key ring", () => {
  it.each(["RS256", "ES256", "EdDSA"] as const)("%s: signs, verifies, carries the kid and publishes only the public half", async (alg) => {
    const pair = generatePemKeyPair(alg);
    const ring = await ringFrom([{ kid: `k-${alg}`, alg, privateKey: pair.privateKey }]);
    const token = await sign(ring);
    expect(decodeProtectedHeader(token)).toEqual({ alg, typ: "at+jwt", kid: `k-${alg}` });
    await expect(verify(ring, token)).resolves.toMatchObject({ kid: `k-${alg}` });
    expect(ring.jwks.keys).toHaveLength(1);
    expect(ring.jwks.keys[0]).toMatchObject({ kid: `k-${alg}`, alg, use: "sig" });
    expect(ring.jwks.keys[0]).not.toHaveProperty("d");
  });

  it("reads keys from files and JWK, and derives a thumbprint kid when none is given", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claimgate-keys-"));
    const pem = generatePemKeyPair("ES256");
    await writeFile(join(dir, "es256.pem"), pem.privateKey);
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    const ring = await ringFrom([
      { alg: "ES256", privateKeyFile: join(dir, "es256.pem") },
      { kid: "ed", alg: "EdDSA", privateKey: jwk },
    ]);
    expect(ring.active.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...ring.byKid.keys()]).toContain("ed");
    expect(ring.algorithms).toEqual(["ES256", "EdDSA"]);
  });

  it("rotation: the previous key still verifies its tokens, a removed key's tokens fail", async () => {
    const old = generatePemKeyPair("ES256");
    const next = generatePemKeyPair("ES256");
    const before = await ringFrom([{ kid: "2026-05", alg: "ES256", privateKey: old.privateKey }]);
    const oldToken = await sign(before);

    // Step 1-2: add the new key and make it active; keep the old one, verification only.
    const during = await ringFrom(
      [
        { kid: "2026-11", alg: "ES256", privateKey: next.privateKey },
        { kid: "2026-05", alg: "ES256", publicKey: old.publicKey },
      ],
      "2026-11",
    );
    expect(decodeProtectedHeader(await sign(during)).kid).toBe("2026-11");
    await expect(verify(during, oldToken)).resolves.toMatchObject({ kid: "2026-05" });
    expect(during.jwks.keys.map((key) => key.kid)).toEqual(["2026-11", "2026-05"]);

    // Step 3: once the old tokens have expired, remove the old key.
    const after = await ringFrom([{ kid: "2026-11", alg: "ES256", privateKey: next.privateKey }]);
    await expect(verify(after, oldToken)).rejects.toMatchObject({ reason: "TOKEN_INVALID" });
  });

  it("refuses keys that do not fit their algorithm, naming the key", async () => {
    const rsa = generatePemKeyPair("RS256");
    await expect(ringFrom([{ kid: "k1", alg: "ES256", privateKey: rsa.privateKey }])).rejects.toThrow(/key k1 \(ES256\): ES256 needs an EC key/);
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" });
    await expect(ringFrom([{ kid: "k2", alg: "RS256", privateKey: small }])).rejects.toThrow(/at least 2048 bits/);
    await expect(ringFrom([{ kid: "k3", alg: "EdDSA", privateKey: "not a key" }])).rejects.toThrow(ConfigError);
  });

  it("JWT_KEYS is validated at startup with messages that name the entry", () => {
    expect(() => parseConfig({ JWT_KEYS: "[" })).toThrow(/JWT_KEYS must be a JSON array/);
    expect(() => parseConfig({ JWT_KEYS: JSON.stringify([{ alg: "none", secret: "x" }]) })).toThrow(/JWT_KEYS\[0\]\.alg must be one of/);
    expect(() => parseConfig({ JWT_KEYS: JSON.stringify([{ alg: "HS256", secret: "short" }]) })).toThrow(/JWT_KEYS\[0\]\.secret is too weak/);
    expect(() => parseConfig({ JWT_KEYS: JSON.stringify([{ alg: "ES256", publicKey: "x" }]) })).toThrow(/no key with private material/);
    expect(() => parseConfig({ JWT_KEYS: JSON.stringify([{ kid: "a", alg: "ES256", privateKey: "x" }]), JWT_ACTIVE_KID: "b" })).toThrow(
      /JWT_ACTIVE_KID is "b"/,
    );
    expect(() => parseConfig({ JWT_SECRET: "q8Jr2Lw0vXf3kP9sT6yB1nM4cH7gD5aZeUoIiRlQ", JWT_KEYS: "[]" })).toThrow(/not both/);
  });
});

// One table says which key each algorithm needs; the ring refuses a key of another type at load.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadKeyRing } from "../../src/auth/signing-keys.js";
import {
  type Algorithm,
  ALGORITHM_KEYS,
  type AlgorithmKeyType,
  EXTERNAL_ALGORITHMS,
  jwkTypesFor,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  keyTypeOf,
} from "../../src/config/algorithm-keys.js";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";

const pem = (pair: { privateKey: { export(options: object): string | Buffer } }) => pair.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
const KEYS = {
  rsa: () => pem(generateKeyPairSync("rsa", { modulusLength: 2048 })),
  p256: () => pem(generateKeyPairSync("ec", { namedCurve: "P-256" })),
  p384: () => pem(generateKeyPairSync("ec", { namedCurve: "P-384" })),
  ed25519: () => pem(generateKeyPairSync("ed25519")),
};
const load = (alg: KeyAlgorithm, privateKey: unknown) =>
  loadKeyRing(parseConfig({ JWT_KEYS: JSON.stringify([{ kid: "k", alg, privateKey }]) }).tokens.keyRing!);

describe("the algorithm table", () => {
  it("names the key type of every algorithm either list holds", () => {
    for (const alg of [...KEY_ALGORITHMS, ...EXTERNAL_ALGORITHMS]) expect(keyTypeOf(alg).requirement).toMatch(/^an? /);
    expect(keyTypeOf("HS256")).toMatchObject({ kty: "oct", hash: "SHA-256" });
    expect(keyTypeOf("RS256")).toMatchObject({ kty: "RSA", nodeType: "rsa", minModulusBits: 2048 });
    expect(keyTypeOf("PS256")).toMatchObject({ kty: "RSA" });
    expect(keyTypeOf("ES256")).toMatchObject({ kty: "EC", crv: "P-256", nodeCurve: "prime256v1" });
    expect(keyTypeOf("ES512")).toMatchObject({ kty: "EC", crv: "P-521" });
    expect(keyTypeOf("EdDSA")).toMatchObject({ kty: "OKP", nodeType: "ed25519" });
  });

  it("external algorithms are asymmetric only: a provider's key set never yields a shared secret", () => {
    expect(EXTERNAL_ALGORITHMS.map((alg) => ALGORITHM_KEYS[alg].kty)).not.toContain("oct");
    expect(jwkTypesFor(EXTERNAL_ALGORITHMS)).toEqual(new Set(["RSA", "EC", "OKP"]));
    expect(jwkTypesFor(["ES256"])).toEqual(new Set(["EC"]));
  });

  it("is exhaustive at compile time: an algorithm without its key type does not type-check", () => {
    // tsc (npm run typecheck) fails if this line stops being an error.
    // @ts-expect-error PS256 is listed but has no entry.
    const incomplete = { HS256: ALGORITHM_KEYS.HS256 } satisfies Record<Extract<Algorithm, "HS256" | "PS256">, AlgorithmKeyType>;
    expect(Object.keys(incomplete)).toEqual(["HS256"]);
  });
});

describe("a key of the wrong type is refused at load, naming what the algorithm needs", () => {
  it.each([
    ["RS256", KEYS.p256, "RS256 needs an RSA key of at least 2048 bits, not a key of type ec"],
    ["RS256", KEYS.ed25519, "RS256 needs an RSA key of at least 2048 bits, not a key of type ed25519"],
    ["ES256", KEYS.rsa, "ES256 needs an EC key on the P-256 curve, not a key of type rsa"],
    ["ES256", KEYS.p384, "ES256 needs an EC key on the P-256 curve, not one on secp384r1"],
    ["EdDSA", KEYS.p256, "EdDSA needs an Ed25519 key, not a key of type ec"],
  ] as const)("%s with %s", async (alg, make, message) => {
    await expect(load(alg, make())).rejects.toThrow(new ConfigError([`key k (${alg}): ${message}`]).message);
  });

  it("a symmetric JWK where a key pair is needed", async () => {
    const secretJwk = { kty: "oct", k: Buffer.from("q8Jr2Lw0vXf3kP9sT6yB1nM4cH7gD5aZeUoIiRlQ").toString("base64url") };
    await expect(load("ES256", secretJwk)).rejects.toThrow("key k (ES256): ES256 needs an EC key on the P-256 curve, not a shared secret");
  });

  it.each([
    ["RS256", KEYS.rsa],
    ["ES256", KEYS.p256],
    ["EdDSA", KEYS.ed25519],
  ] as const)("%s loads a key of its own type", async (alg, make) => {
    const ring = await load(alg, make());
    expect(ring.active).toMatchObject({ kid: "k", alg });
    expect(ring.jwks.keys[0]).toMatchObject({ kty: ALGORITHM_KEYS[alg].kty, alg });
  });
});

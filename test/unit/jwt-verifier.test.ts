// verifyJwt (node:crypto, synchronous) against jose's jwtVerify (WebCrypto), which it replaces on
// every verification path: the same verdict, the same error class and failed claim, the same
// payload, for every algorithm claimgate accepts and for every kind of bad token. The snapshot
// records what those shared verdicts are, so a change of either side shows.
import { createHmac, randomBytes } from "node:crypto";
import { errors, generateKeyPair, generateSecret, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_ALGORITHMS } from "../../src/config/algorithm-keys.js";
import { verifyJwt, type VerificationKey, type VerifyJwtOptions } from "../../src/auth/jwt-verifier.js";
import { type Outcome, outcome } from "../support/jwt-outcome.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);
const ISSUER = "https://issuer.example";
const AUDIENCE = "claimgate";
const OPTIONS = { issuer: ISSUER, audience: AUDIENCE, typ: "at+jwt", requiredClaims: ["sub", "jti"], clockTolerance: 5, currentDate: NOW, maxTokenAge: 3600 };
const CLAIMS: JWTPayload = { sub: "user-1", jti: "t-1", iss: ISSUER, aud: AUDIENCE, iat: T - 10, exp: T + 900, role: "admin" };

/** Both verifiers on one token; returns the shared outcome after checking they agree. */
async function both(token: string, key: VerificationKey, options: VerifyJwtOptions): Promise<Outcome> {
  const ours = await outcome(() => verifyJwt(token, key, options));
  const theirs = await outcome(() => jwtVerify(token, key as Parameters<typeof jwtVerify>[1], { ...options, algorithms: [...options.algorithms] } as never));
  expect(ours).toEqual(theirs);
  return ours;
}

const segment = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
/** An HS256 token with any header and payload bytes, correctly signed: only the structure is wrong. */
function crafted(secret: Uint8Array, header: unknown, payload: unknown): string {
  const input = `${segment(header)}.${typeof payload === "string" && payload.startsWith("raw:") ? payload.slice(4) : segment(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

describe("verifyJwt gives jose's verdicts", () => {
  const keys = new Map<string, { sign: VerificationKey; verify: VerificationKey; other: VerificationKey }>();
  let secret: Uint8Array;
  let hsKey: VerificationKey;

  beforeAll(async () => {
    for (const alg of EXTERNAL_ALGORITHMS) {
      const pair = await generateKeyPair(alg, { extractable: true, ...(alg === "Ed25519" || alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
      const other = await generateKeyPair(alg, { extractable: true });
      keys.set(alg, { sign: pair.privateKey, verify: pair.publicKey, other: other.publicKey });
    }
    hsKey = (await generateSecret("HS256", { extractable: true })) as VerificationKey;
    const { exportJWK } = await import("jose");
    secret = Buffer.from((await exportJWK(hsKey as CryptoKey)).k!, "base64url");
    keys.set("HS256", { sign: hsKey, verify: hsKey, other: (await generateSecret("HS256")) as VerificationKey });
  }, 60_000);

  const sign = (alg: string, claims: JWTPayload = CLAIMS, header: Record<string, unknown> = { typ: "at+jwt" }) =>
    new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(keys.get(alg)!.sign as CryptoKey);

  it("accepts a good token and refuses a forged or foreign one, for every algorithm", async () => {
    for (const alg of ["HS256", ...EXTERNAL_ALGORITHMS]) {
      const { verify, other } = keys.get(alg)!;
      const token = await sign(alg);
      expect(await both(token, verify, { algorithms: [alg], ...OPTIONS })).toMatchObject({ ok: true, payload: CLAIMS });
      // Another key of the same kind: the signature does not verify.
      expect(await both(token, other, { algorithms: [alg], ...OPTIONS })).toEqual({ ok: false, error: "JWSSignatureVerificationFailed", jose: true });
      // One signature character changed.
      const [h, p, s] = token.split(".");
      const flipped = `${h}.${p}.${s![0] === "A" ? "B" : "A"}${s!.slice(1)}`;
      expect(await both(flipped, verify, { algorithms: [alg], ...OPTIONS })).toEqual({ ok: false, error: "JWSSignatureVerificationFailed", jose: true });
      // The payload changed after signing.
      const tampered = `${h}.${segment({ ...CLAIMS, role: "root" })}.${s}`;
      expect(await both(tampered, verify, { algorithms: [alg], ...OPTIONS })).toEqual({ ok: false, error: "JWSSignatureVerificationFailed", jose: true });
      // Not among the algorithms allowed.
      expect(await both(token, verify, { algorithms: [alg === "ES256" ? "RS256" : "ES256"], ...OPTIONS })).toEqual({ ok: false, error: "JOSEAlgNotAllowed", jose: true });
    }
  });

  it("refuses a key of the wrong kind as a misconfiguration (TypeError), not as a bad token", async () => {
    const token = await sign("ES256");
    const outcomeOf = await both(token, keys.get("RS256")!.verify, { algorithms: ["ES256"], ...OPTIONS });
    expect(outcomeOf).toEqual({ ok: false, error: "TypeError", jose: false });
    const hs = await sign("HS256");
    expect(await both(hs, keys.get("ES256")!.verify, { algorithms: ["HS256"], ...OPTIONS })).toEqual({ ok: false, error: "TypeError", jose: false });
  });

  it("checks every claim as jose does", async () => {
    const cases: [string, JWTPayload, Record<string, unknown>?, Partial<VerifyJwtOptions>?][] = [
      ["expired", { ...CLAIMS, exp: T - 6 }],
      ["expired within the tolerance", { ...CLAIMS, exp: T - 4 }],
      ["expired exactly now, no tolerance", { ...CLAIMS, exp: T }, undefined, { clockTolerance: 0 }],
      ["not valid yet", { ...CLAIMS, nbf: T + 6 }],
      ["not valid yet within the tolerance", { ...CLAIMS, nbf: T + 5 }],
      ["too old", { ...CLAIMS, iat: T - 3606 }],
      ["issued in the future", { ...CLAIMS, iat: T + 6 }],
      ["no iat while a maximum age is set", { ...CLAIMS, iat: undefined }],
      ["no iat and no maximum age", { ...CLAIMS, iat: undefined }, undefined, { maxTokenAge: undefined }],
      ["iat not a number", { ...CLAIMS, iat: "yesterday" as never }, undefined, { maxTokenAge: undefined }],
      ["exp not a number", { ...CLAIMS, exp: "soon" as never }],
      ["nbf not a number", { ...CLAIMS, nbf: null as never }],
      ["another issuer", { ...CLAIMS, iss: "https://evil.example" }],
      ["one of several issuers", { ...CLAIMS, iss: "https://b.example" }, undefined, { issuer: ["https://a.example", "https://b.example"] }],
      ["no issuer", { ...CLAIMS, iss: undefined }],
      ["another audience", { ...CLAIMS, aud: "someone-else" }],
      ["an audience list naming ours", { ...CLAIMS, aud: ["x", AUDIENCE] }],
      ["an audience list without ours", { ...CLAIMS, aud: ["x", "y"] }],
      ["one of several audiences", { ...CLAIMS, aud: "b" }, undefined, { audience: ["a", "b"] }],
      ["an audience that is not a string", { ...CLAIMS, aud: 42 as never }],
      ["a required claim missing", { ...CLAIMS, jti: undefined }],
      ["no typ", CLAIMS, {}],
      ["another typ", CLAIMS, { typ: "JWT" }],
      ["the long form of the typ", CLAIMS, { typ: "application/at+jwt" }],
      ["the typ in capitals", CLAIMS, { typ: "AT+JWT" }],
    ];
    for (const [name, claims, header, options] of cases) {
      const token = await sign("HS256", JSON.parse(JSON.stringify(claims)) as JWTPayload, header ?? { typ: "at+jwt" });
      const verdict = await both(token, hsKey, { algorithms: ["HS256"], ...OPTIONS, ...options });
      expect({ name, ...verdict }).toMatchSnapshot();
    }
  });

  it("refuses malformed tokens as jose does", async () => {
    const good = { alg: "HS256", typ: "at+jwt" };
    const tokens: [string, string][] = [
      ["two segments", "a.b"],
      ["four segments", "a.b.c.d"],
      ["a header that is not JSON", crafted(secret, "{not json", CLAIMS)],
      ["a header that is an array", crafted(secret, [good], CLAIMS)],
      ["no alg", crafted(secret, { typ: "at+jwt" }, CLAIMS)],
      ["alg none, unsigned", `${segment({ alg: "none", typ: "at+jwt" })}.${segment(CLAIMS)}.`],
      ["a payload that is an array", crafted(secret, good, [CLAIMS])],
      ["a payload that is not JSON", crafted(secret, good, "not json")],
      ["a payload of invalid UTF-8", crafted(secret, good, `raw:${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}`)],
      ["a payload that is null", crafted(secret, good, "null")],
      ["crit naming b64, payload encoded", crafted(secret, { ...good, crit: ["b64"], b64: true }, CLAIMS)],
      ["crit naming b64, payload not encoded", crafted(secret, { ...good, crit: ["b64"], b64: false }, CLAIMS)],
      ["crit naming an unknown extension", crafted(secret, { ...good, crit: ["exp"], exp: 1 }, CLAIMS)],
      ["crit empty", crafted(secret, { ...good, crit: [] }, CLAIMS)],
      ["crit naming an absent b64", crafted(secret, { ...good, crit: ["b64"] }, CLAIMS)],
      ["b64 not a boolean", crafted(secret, { ...good, crit: ["b64"], b64: "no" }, CLAIMS)],
      ["a signature that is not base64url", `${crafted(secret, good, CLAIMS).slice(0, -2)}*!`],
      ["an empty signature", `${segment(good)}.${segment(CLAIMS)}.`],
    ];
    for (const [name, token] of tokens) {
      const verdict = await both(token, hsKey, { algorithms: ["HS256"], ...OPTIONS });
      expect({ name, ...verdict }).toMatchSnapshot();
    }
  });

  it("takes the key from a resolver that sees the header, as jose's key functions do", async () => {
    const token = await sign("ES256", CLAIMS, { typ: "at+jwt", kid: "k1" });
    const seen: unknown[] = [];
    const resolver = async (header: { kid?: string }) => (seen.push(header.kid), keys.get("ES256")!.verify);
    expect(await verifyJwt(token, resolver, { algorithms: ["ES256"], ...OPTIONS })).toMatchObject({ payload: CLAIMS, protectedHeader: { alg: "ES256", kid: "k1" } });
    expect(seen).toEqual(["k1"]);
    // A refused algorithm never reaches the resolver (it might fetch a key set).
    await expect(verifyJwt(token, resolver, { algorithms: ["RS256"], ...OPTIONS })).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);
    expect(seen).toEqual(["k1"]);
  });

  it("is stricter than jose where RFC 7515 is: padded or spaced base64url, a duplicate in crit", async () => {
    const duplicate = crafted(secret, { alg: "HS256", typ: "at+jwt", crit: ["b64", "b64"], b64: true }, CLAIMS);
    await expect(verifyJwt(duplicate, hsKey, { algorithms: ["HS256"], ...OPTIONS })).rejects.toBeInstanceOf(errors.JWSInvalid);
    const token = await sign("HS256");
    const [h, p, s] = token.split(".");
    const padded = `${h}.${p}${"=".repeat((4 - (p!.length % 4)) % 4 || 4)}.${s}`;
    await expect(verifyJwt(padded, hsKey, { algorithms: ["HS256"], ...OPTIONS })).rejects.toBeInstanceOf(errors.JWSInvalid);
    await expect(verifyJwt(`${h}.${p}.${s} `, hsKey, { algorithms: ["HS256"], ...OPTIONS })).rejects.toBeInstanceOf(errors.JWSInvalid);
  });

  it("compares HMAC signatures of any length without throwing", async () => {
    const token = await sign("HS256");
    const [h, p] = token.split(".");
    for (const length of [0, 1, 31, 33, 64]) {
      const forged = `${h}.${p}.${randomBytes(length).toString("base64url")}`;
      expect(await both(forged, hsKey, { algorithms: ["HS256"], ...OPTIONS })).toMatchObject({ ok: false });
    }
  });
});

// Every cause of a refused access token has its own code, while clients keep seeing the two
// reasons they branch on (TOKEN_EXPIRED, TOKEN_INVALID). Bugs are rethrown, never a 401.
import { webcrypto } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken, toVerificationError, verifyAccessToken } from "../../src/auth/access-token.js";
import { createAuthenticator } from "../../src/auth/authenticate.js";
import { prepareExternalIssuer, verifyExternalToken } from "../../src/auth/external-token.js";
import { RemoteKeySet } from "../../src/auth/remote-key-set.js";
import { createHmacKeyRing, type KeyRing, loadKeyRing } from "../../src/auth/signing-keys.js";
import { TOKEN_VERIFICATION_CODES, TokenVerificationError, type TokenVerificationCode } from "../../src/auth/token-verification-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { parseTrustedIssuers } from "../../src/config/trusted-issuers.js";

const SECRET = "k3Y-for-tests-0123456789-abcdefghijklmnop";
const tokens = { issuer: "urn:test:issuer", audience: "urn:test:api", accessTokenTtlSeconds: 900, clockToleranceSeconds: 5 };
const NOW = new Date("2026-06-01T12:00:00Z");
const now = NOW.getTime() / 1000;
let keys: KeyRing;
let ring: KeyRing;

beforeAll(async () => {
  keys = await createHmacKeyRing(SECRET);
  ring = await loadKeyRing({
    keys: [
      { kid: "current", alg: "HS256", privateKey: { inline: SECRET }, publicKey: null },
      { kid: "previous", alg: "HS256", privateKey: { inline: "an0ther-K3y-for-tests-0123456789-qrstuvwx" }, publicKey: null },
    ],
    activeKid: "current",
  });
});

const payload = (overrides: Record<string, unknown> = {}) => ({
  iss: tokens.issuer,
  aud: tokens.audience,
  sub: "user-1",
  iat: now,
  exp: now + 60,
  jti: "j1",
  sid: "s1",
  ...overrides,
});
const forge = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: webcrypto.CryptoKey = keys.active.signingKey) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: keys.active.kid, ...header } as never).sign(key);
const refusal = async (token: string, options: { ring?: KeyRing; maxTokenAgeSeconds?: number } = {}) => {
  try {
    await verifyAccessToken(token, {
      keys: options.ring ?? keys,
      tokens: { ...tokens, ...(options.maxTokenAgeSeconds ? { maxTokenAgeSeconds: options.maxTokenAgeSeconds } : {}) },
      now: NOW,
    });
  } catch (error) {
    if (!(error instanceof TokenVerificationError)) throw error;
    return { code: error.code, reason: error.reason, message: error.message };
  }
  throw new Error("the token verified");
};

describe("TokenVerificationError codes: claimgate's own tokens", () => {
  it("EXPIRED and TOO_OLD are TOKEN_EXPIRED for clients", async () => {
    expect(await refusal(await forge(payload({ iat: now - 120, exp: now - 60 })))).toEqual({
      code: "EXPIRED",
      reason: "TOKEN_EXPIRED",
      message: "The access token has expired: get a new one with the refresh mutation.",
    });
    expect(await refusal(await forge(payload({ iat: now - 7200, exp: now + 60 })), { maxTokenAgeSeconds: 3600 })).toMatchObject({
      code: "TOO_OLD",
      reason: "TOKEN_EXPIRED",
    });
  });

  it.each<[TokenVerificationCode, () => Promise<string>, string]>([
    ["NOT_YET_VALID", () => forge(payload({ nbf: now + 600 })), "it is not valid yet (nbf is in the future)"],
    ["ISSUED_IN_FUTURE", () => forge(payload({ iat: now + 600, exp: now + 900 })), "it was issued in the future"],
    ["WRONG_TYPE", () => forge(payload(), { typ: "JWT" }), "its typ header is not at+jwt"],
    ["WRONG_ISSUER", () => forge(payload({ iss: "urn:other" })), "its iss claim names another issuer"],
    ["WRONG_AUDIENCE", () => forge(payload({ aud: "urn:other" })), "its aud claim names another audience"],
    ["MISSING_CLAIM", () => forge(payload({ sid: undefined })), "it has no sid claim"],
    ["INVALID_CLAIM", () => forge(payload({ jti: "" })), "its jti claim is not a non-empty string"],
    ["INVALID_CLAIM", () => forge(payload({ cv: "3" })), "its cv claim is not a whole number"],
    ["MALFORMED", async () => (await forge(payload())).split(".").slice(0, 2).join("."), "it is not a well-formed signed JWT"],
    ["MALFORMED", async () => "a.b.c.d.e", "it is not a well-formed signed JWT"],
  ])("%s: TOKEN_INVALID, %s", async (code, make, why) => {
    expect(await refusal(await make())).toEqual({ code, reason: "TOKEN_INVALID", message: `The access token is invalid: ${why}.` });
  });

  it("BAD_SIGNATURE: the right kid, another key's signature", async () => {
    const other = await createHmacKeyRing("an0ther-K3y-for-tests-0123456789-qrstuvwx");
    expect(await refusal(await forge(payload(), {}, other.active.signingKey))).toMatchObject({ code: "BAD_SIGNATURE", reason: "TOKEN_INVALID" });
  });

  it("UNKNOWN_KEY: a kid the ring does not hold, with one key or several", async () => {
    expect(await refusal(await forge(payload(), { kid: "elsewhere" }))).toMatchObject({ code: "UNKNOWN_KEY", reason: "TOKEN_INVALID" });
    expect(await refusal(await forge(payload(), { kid: "elsewhere" }), { ring })).toMatchObject({ code: "UNKNOWN_KEY" });
  });

  it("MALFORMED: a header jose cannot decode, with a ring of several keys (jose throws a TypeError there)", async () => {
    expect(await refusal("..", { ring })).toMatchObject({ code: "MALFORMED", reason: "TOKEN_INVALID" });
    expect(await refusal("not-a-jwt", { ring })).toMatchObject({ code: "MALFORMED" });
  });

  it("ALGORITHM_NOT_ALLOWED: a known kid with another algorithm", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(payload()).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: keys.active.kid }).sign(privateKey);
    expect(await refusal(token)).toMatchObject({ code: "ALGORITHM_NOT_ALLOWED", reason: "TOKEN_INVALID" });
  });

  it("every code maps to one of the two reasons clients know", () => {
    expect(new Set(Object.values(TOKEN_VERIFICATION_CODES))).toEqual(new Set(["TOKEN_EXPIRED", "TOKEN_INVALID"]));
  });
});

describe("TokenVerificationError codes: the authenticator's own checks", () => {
  const authenticator = (revoked: { has(sid: string): boolean; claimsVersionOf?(userId: string): number | undefined } = { has: () => false }) =>
    createAuthenticator({ verification: { keys, tokens }, revokedSessions: revoked, clock: () => NOW, cacheSize: 0 });
  const mint = async (claimsVersion = 0) =>
    (await signAccessToken({ keys, tokens, subject: "u1", sessionId: "s1", claims: {}, claimsVersion, now: NOW })).token;

  it("MALFORMED_HEADER: an Authorization header that is not Bearer <token>", async () => {
    expect((await authenticator().authenticate("Basic abc")).error).toMatchObject({ code: "MALFORMED_HEADER", reason: "TOKEN_INVALID" });
  });

  it("SESSION_REVOKED: the token's session has ended", async () => {
    const principal = await authenticator({ has: (sid) => sid === "s1" }).authenticate(`Bearer ${await mint()}`);
    expect(principal).toMatchObject({ claims: null, error: { code: "SESSION_REVOKED", reason: "TOKEN_INVALID" } });
  });

  it("CLAIMS_CHANGED: older than the user's claims version, TOKEN_EXPIRED for clients", async () => {
    const principal = await authenticator({ has: () => false, claimsVersionOf: () => 2 }).authenticate(`Bearer ${await mint(1)}`);
    expect(principal.error).toMatchObject({ code: "CLAIMS_CHANGED", reason: "TOKEN_EXPIRED" });
  });

  it("the verifier's code reaches the principal", async () => {
    const expired = await forge(payload({ iat: now - 120, exp: now - 60 }));
    expect((await authenticator().authenticate(`Bearer ${expired}`)).error).toMatchObject({ code: "EXPIRED", reason: "TOKEN_EXPIRED" });
  });
});

describe("TokenVerificationError codes: trusted issuers", () => {
  const ISSUER = "https://idp.example.test";
  const setup = async (jwks: () => Response) => {
    const problems: string[] = [];
    const [config] = parseTrustedIssuers(JSON.stringify([{ issuer: ISSUER, audiences: ["api"], algorithms: ["ES256"], jwksUri: `${ISSUER}/jwks` }]), "TRUSTED_ISSUERS", problems);
    expect(problems).toEqual([]);
    const remote = new RemoteKeySet({ issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, policy: parseConfig({}).remoteKeys, clock: () => NOW, fetch: async () => jwks() });
    return prepareExternalIssuer(config!, remote);
  };
  const pair = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
  };
  const sign = (key: webcrypto.CryptoKey, header: Record<string, unknown>) =>
    new SignJWT({ iss: ISSUER, aud: "api", sub: "ext-1", iat: now, exp: now + 60 }).setProtectedHeader({ alg: "ES256", typ: "at+jwt", ...header }).sign(key);
  const externalRefusal = async (token: string, issuer: Awaited<ReturnType<typeof setup>>) =>
    verifyExternalToken(token, issuer, { clockToleranceSeconds: 0, now: NOW }).then(
      () => {
        throw new Error("the token verified");
      },
      (error: unknown) => {
        if (!(error instanceof TokenVerificationError)) throw error;
        return { code: error.code, reason: error.reason };
      },
    );

  it("KID_REQUIRED: no kid while the issuer publishes several keys", async () => {
    const a = await pair("a");
    const b = await pair("b");
    const issuer = await setup(() => Response.json({ keys: [a.jwk, b.jwk] }));
    expect(await externalRefusal(await sign(a.privateKey, {}), issuer)).toEqual({ code: "KID_REQUIRED", reason: "TOKEN_INVALID" });
  });

  it("UNKNOWN_KEY: a kid the issuer does not publish", async () => {
    const a = await pair("a");
    const issuer = await setup(() => Response.json({ keys: [a.jwk] }));
    expect(await externalRefusal(await sign(a.privateKey, { kid: "nope" }), issuer)).toEqual({ code: "UNKNOWN_KEY", reason: "TOKEN_INVALID" });
  });

  it("ISSUER_KEYS_UNAVAILABLE: the issuer's keys cannot be fetched", async () => {
    const a = await pair("a");
    const issuer = await setup(() => new Response("down", { status: 503 }));
    expect(await externalRefusal(await sign(a.privateKey, { kid: "a" }), issuer)).toEqual({ code: "ISSUER_KEYS_UNAVAILABLE", reason: "TOKEN_INVALID" });
  });

  it("UNTRUSTED_ISSUER: an iss this server does not trust", async () => {
    const a = await pair("a");
    const external = await setup(() => Response.json({ keys: [a.jwk] }));
    const authenticator = createAuthenticator({ verification: { keys, tokens }, externalIssuers: new Map([[ISSUER, external]]), clock: () => NOW });
    const token = await new SignJWT({ iss: "https://stranger.example", sub: "x", iat: now, exp: now + 60 }).setProtectedHeader({ alg: "ES256", kid: "a" }).sign(a.privateKey);
    expect((await authenticator.authenticate(`Bearer ${token}`)).error).toMatchObject({ code: "UNTRUSTED_ISSUER", reason: "TOKEN_INVALID" });
  });

  it("an expired provider token keeps its code and points at the provider", async () => {
    const a = await pair("a");
    const issuer = await setup(() => Response.json({ keys: [a.jwk] }));
    const token = await new SignJWT({ iss: ISSUER, aud: "api", sub: "ext-1", iat: now - 120, exp: now - 60 }).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "a" }).sign(a.privateKey);
    await expect(verifyExternalToken(token, issuer, { clockToleranceSeconds: 0, now: NOW })).rejects.toMatchObject({
      code: "EXPIRED",
      reason: "TOKEN_EXPIRED",
      message: expect.stringMatching(/from its identity provider/),
    });
  });
});

describe("bugs are rethrown, not folded into a 401", () => {
  it("toVerificationError rethrows anything that is not a verdict on the token", () => {
    const bug = new TypeError("Cannot read properties of undefined");
    expect(() => toVerificationError(bug)).toThrow(bug);
    expect(() => toVerificationError(new RangeError("Maximum call stack size exceeded"))).toThrow(RangeError);
  });

  it("a ring whose key cannot verify its algorithm fails as a server error, and the authenticator rethrows it", async () => {
    const { publicKey } = await generateKeyPair("ES256");
    const broken: KeyRing = { ...keys, active: { ...keys.active, verificationKey: publicKey }, byKid: new Map([[keys.active.kid, { ...keys.active, verificationKey: publicKey }]]) };
    const token = await forge(payload());
    await expect(verifyAccessToken(token, { keys: broken, tokens, now: NOW })).rejects.toBeInstanceOf(TypeError);
    const authenticator = createAuthenticator({ verification: { keys: broken, tokens }, clock: () => NOW, cacheSize: 0 });
    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(TypeError);
  });
});

import { webcrypto } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/auth/access-token.js";
import { createHmacKeyRing, type KeyRing } from "../../src/auth/signing-keys.js";
import { generateRefreshToken } from "../../src/auth/refresh-token.js";

const tokens = { issuer: "urn:test:issuer", audience: "urn:test:api", accessTokenTtlSeconds: 900, clockToleranceSeconds: 5 };
const NOW = new Date("2026-06-01T12:00:00Z");
const nowSeconds = NOW.getTime() / 1000;
let keys: KeyRing;
let otherKeys: KeyRing;

beforeAll(async () => {
  keys = await createHmacKeyRing("k3Y-for-tests-0123456789-abcdefghijklmnop");
  otherKeys = await createHmacKeyRing("another-K3y-for-tests-0123456789-qrstuvwx");
});

const sign = (claims: Record<string, unknown> = {}) =>
  signAccessToken({ keys, tokens, subject: "user-1", sessionId: "session-1", claims, now: NOW }).then((t) => t.token);
const verify = (token: string, now = NOW) => verifyAccessToken(token, { keys, tokens, now });

/** A token like ours, with chosen header and payload, signed with our key unless told otherwise. */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, key: webcrypto.CryptoKey = keys.active.signingKey) {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: keys.active.kid, ...header } as never).sign(key);
}
const validPayload = () => ({ iss: tokens.issuer, aud: tokens.audience, sub: "user-1", iat: nowSeconds, exp: nowSeconds + 60, jti: "j1", sid: "s1" });

describe("signAccessToken / verifyAccessToken", () => {
  it("MAX_TOKEN_AGE: a correctly signed token issued too long ago is refused whatever its exp says", async () => {
    const tenYears = await forge({}, { ...validPayload(), iat: nowSeconds - 7200, exp: nowSeconds + 10 * 365 * 86400 });
    await expect(verifyAccessToken(tenYears, { keys, tokens: { ...tokens, maxTokenAgeSeconds: 3600 }, now: NOW })).rejects.toMatchObject({
      reason: "TOKEN_EXPIRED",
      message: expect.stringMatching(/MAX_TOKEN_AGE/),
    });
    // Without the limit the same token verifies: the limit is what refuses it.
    await expect(verify(tenYears)).resolves.toBeTruthy();
  });

  it("carries the claims version (cv) and refuses a cv that is not a whole number", async () => {
    const token = await signAccessToken({ keys, tokens, subject: "u", sessionId: "s", claims: { cv: 99 }, claimsVersion: 3, now: NOW });
    expect((await verify(token.token)).claims.cv).toBe(3);
    await expect(verify(await forge({}, { ...validPayload(), cv: "3" }))).rejects.toMatchObject({ reason: "TOKEN_INVALID" });
  });

  it("round-trips the user's claims with the registered ones", async () => {
    const { claims, kid } = await verify(await sign({ role: "admin", permissions: ["posts:read"] }));
    expect(kid).toBe(keys.active.kid);
    expect(claims).toMatchObject({
      role: "admin",
      permissions: ["posts:read"],
      iss: tokens.issuer,
      aud: tokens.audience,
      sub: "user-1",
      sid: "session-1",
      iat: nowSeconds,
      exp: nowSeconds + 900,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never lets a user's claims replace registered ones", async () => {
    const { claims } = await verify(await sign({ sub: "someone-else", exp: 9999999999, iss: "evil", aud: "evil", sid: "x" }));
    expect(claims).toMatchObject({ sub: "user-1", exp: nowSeconds + 900, iss: tokens.issuer, sid: "session-1" });
  });

  it("says TOKEN_EXPIRED once exp has passed (beyond the tolerance)", async () => {
    const token = await sign();
    await expect(verify(token, new Date(NOW.getTime() + 903_000))).resolves.toBeTruthy();
    await expect(verify(token, new Date(NOW.getTime() + 906_000))).rejects.toMatchObject({ reason: "TOKEN_EXPIRED" });
  });

  it.each([
    ["a wrong signature", async () => forge({}, validPayload(), otherKeys.active.signingKey), "its signature does not verify."],
    ["an unknown kid", async () => forge({ kid: otherKeys.active.kid }, validPayload(), otherKeys.active.signingKey), "its signature does not verify."],
    ["a known key under another kid", async () => forge({ kid: "some-other-kid" }, validPayload()), "it was not signed by a key this server knows."],
    ["no kid", async () => forge({ kid: undefined }, validPayload()), "it was not signed by a key this server knows."],
    ["alg none", async () => new UnsecuredJWT(validPayload()).encode(), "it is signed with an algorithm this server does not accept."],
    ["typ JWT", async () => forge({ typ: "JWT" }, validPayload()), "its typ header is not at+jwt."],
    ["no typ", async () => forge({ typ: undefined }, validPayload()), "its typ header is not at+jwt."],
    ["another issuer", async () => forge({}, { ...validPayload(), iss: "urn:test:issuer/" }), "its iss claim names another issuer."],
    ["another audience", async () => forge({}, { ...validPayload(), aud: "URN:TEST:API" }), "its aud claim names another audience."],
    ["no sub", async () => forge({}, { ...validPayload(), sub: undefined }), "it has no sub claim."],
    ["no exp", async () => forge({}, { ...validPayload(), exp: undefined }), "it has no exp claim."],
    ["no iat", async () => forge({}, { ...validPayload(), iat: undefined }), "it has no iat claim."],
    ["no jti", async () => forge({}, { ...validPayload(), jti: undefined }), "it has no jti claim."],
    ["no sid", async () => forge({}, { ...validPayload(), sid: undefined }), "it has no sid claim."],
    ["no iss", async () => forge({}, { ...validPayload(), iss: undefined }), "it has no iss claim."],
    ["a future nbf", async () => forge({}, { ...validPayload(), nbf: nowSeconds + 60 }), "it is not valid yet (nbf is in the future)."],
    ["a future iat", async () => forge({}, { ...validPayload(), iat: nowSeconds + 60 }), "it was issued in the future."],
    ["a refresh token", async () => generateRefreshToken(), "it is not a well-formed signed JWT."],
    ["garbage", async () => "not.a.jwt", "it is not a well-formed signed JWT."],
  ])("rejects %s as TOKEN_INVALID", async (_name, make, message) => {
    const token = await make();
    const error = await verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "TOKEN_INVALID" });
    expect((error as Error).message).toBe(`The access token is invalid: ${message}`);
    expect((error as Error).message).not.toContain(token);
  });
});

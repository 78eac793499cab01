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
    ["a wrong signature", async () => forge({}, validPayload(), otherKeys.active.signingKey), "signature does not verify"],
    ["an unknown kid", async () => forge({ kid: otherKeys.active.kid }, validPayload(), otherKeys.active.signingKey), "The access token is invalid"],
    ["a known key under another kid", async () => forge({ kid: "some-other-kid" }, validPayload()), "not signed by a key"],
    ["no kid", async () => forge({ kid: undefined }, validPayload()), "not signed by a key"],
    ["alg none", async () => new UnsecuredJWT(validPayload()).encode(), "not"],
    ["typ JWT", async () => forge({ typ: "JWT" }, validPayload()), "typ header"],
    ["no typ", async () => forge({ typ: undefined }, validPayload()), "typ"],
    ["another issuer", async () => forge({}, { ...validPayload(), iss: "urn:test:issuer/" }), "iss"],
    ["another audience", async () => forge({}, { ...validPayload(), aud: "URN:TEST:API" }), "aud"],
    ["no sub", async () => forge({}, { ...validPayload(), sub: undefined }), "no sub claim"],
    ["no exp", async () => forge({}, { ...validPayload(), exp: undefined }), "no exp claim"],
    ["no iat", async () => forge({}, { ...validPayload(), iat: undefined }), "no iat claim"],
    ["no jti", async () => forge({}, { ...validPayload(), jti: undefined }), "no jti claim"],
    ["no sid", async () => forge({}, { ...validPayload(), sid: undefined }), "no sid claim"],
    ["no iss", async () => forge({}, { ...validPayload(), iss: undefined }), "iss"],
    ["a future nbf", async () => forge({}, { ...validPayload(), nbf: nowSeconds + 60 }), "nbf"],
    ["a future iat", async () => forge({}, { ...validPayload(), iat: nowSeconds + 60 }), "future"],
    ["a refresh token", async () => generateRefreshToken(), "well-formed"],
    ["garbage", async () => "not.a.jwt", "well-formed"],
  ])("rejects %s as TOKEN_INVALID", async (_name, make, message) => {
    const token = await make();
    const error = await verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "TOKEN_INVALID" });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain(token);
  });
});

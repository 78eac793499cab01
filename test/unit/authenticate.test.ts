import { describe, expect, it } from "vitest";
import { signAccessToken } from "../../src/auth/access-token.js";
import { createAuthenticator } from "../../src/auth/authenticate.js";
import { entryBytes } from "../../src/auth/verified-token-cache.js";
import { createHmacKeyRing } from "../../src/auth/signing-keys.js";
import { createTestClock } from "../support/test-clock.js";

const tokens = { issuer: "urn:i", audience: "urn:a", accessTokenTtlSeconds: 60, clockToleranceSeconds: 0 };

async function setup(cacheSize = 100, cacheBytes?: number) {
  const keys = await createHmacKeyRing("k3Y-for-tests-0123456789-abcdefghijklmnop");
  const clock = createTestClock();
  const revoked = new Set<string>();
  const authenticator = createAuthenticator({ verification: { keys, tokens }, revokedSessions: revoked, clock, cacheSize, ...(cacheBytes ? { cacheBytes } : {}) });
  const mint = async (sessionId = "s1", extra: Record<string, unknown> = {}) =>
    (await signAccessToken({ keys, tokens, subject: "u1", sessionId, claims: { role: "admin", ...extra }, now: clock() })).token;
  return { authenticator, clock, revoked, mint };
}

describe("authenticator with the verified-token cache", () => {
  it("verifies a token once, then answers from the cache with the same principal", async () => {
    const { authenticator, mint } = await setup();
    const token = await mint();
    const first = await authenticator.authenticate(`Bearer ${token}`);
    const second = await authenticator.authenticate(`Bearer ${token}`);
    expect(first.claims).toMatchObject({ sub: "u1", role: "admin" });
    expect(second).toBe(first);
    expect(authenticator.cacheStats()).toEqual({ hits: 1, misses: 1, size: 1, bytes: entryBytes(token) });
  });

  it("a cached token that has expired is refused as TOKEN_EXPIRED", async () => {
    const { authenticator, clock, mint } = await setup();
    const token = await mint();
    await authenticator.authenticate(`Bearer ${token}`);
    clock.advance(61);
    expect((await authenticator.authenticate(`Bearer ${token}`)).error).toMatchObject({ reason: "TOKEN_EXPIRED" });
  });

  it("a token older than the user's claims version is refused as expired, cached or not; a current one passes", async () => {
    const keys = await createHmacKeyRing("k3Y-for-tests-0123456789-abcdefghijklmnop");
    const floors = new Map<string, number>();
    const authenticator = createAuthenticator({
      verification: { keys, tokens },
      revokedSessions: { has: () => false, claimsVersionOf: (userId) => floors.get(userId) },
    });
    const mint = async (claimsVersion: number) =>
      (await signAccessToken({ keys, tokens, subject: "u1", sessionId: "s1", claims: {}, claimsVersion, now: new Date() })).token;
    const old = await mint(1);
    expect((await authenticator.authenticate(`Bearer ${old}`)).claims).not.toBeNull();
    floors.set("u1", 2);
    expect((await authenticator.authenticate(`Bearer ${old}`)).error).toMatchObject({ reason: "TOKEN_EXPIRED", message: expect.stringMatching(/claims changed/) });
    expect((await authenticator.authenticate(`Bearer ${await mint(2)}`)).claims).not.toBeNull();
  });

  it("a cached token past MAX_TOKEN_AGE is refused", async () => {
    const keys = await createHmacKeyRing("k3Y-for-tests-0123456789-abcdefghijklmnop");
    const clock = createTestClock();
    const long = { ...tokens, accessTokenTtlSeconds: 7200, maxTokenAgeSeconds: 3600 };
    const authenticator = createAuthenticator({ verification: { keys, tokens: long }, clock });
    const token = (await signAccessToken({ keys, tokens: long, subject: "u1", sessionId: "s1", claims: {}, now: clock() })).token;
    expect((await authenticator.authenticate(`Bearer ${token}`)).claims).not.toBeNull();
    clock.advance(3601);
    expect((await authenticator.authenticate(`Bearer ${token}`)).error).toMatchObject({ reason: "TOKEN_EXPIRED" });
  });

  it("a cached token whose session ended is refused", async () => {
    const { authenticator, revoked, mint } = await setup();
    const token = await mint("s-gone");
    expect((await authenticator.authenticate(`Bearer ${token}`)).claims).not.toBeNull();
    revoked.add("s-gone");
    expect((await authenticator.authenticate(`Bearer ${token}`)).error).toMatchObject({ reason: "TOKEN_INVALID" });
  });

  it("only the exact token string hits; failures are not cached", async () => {
    const { authenticator, mint } = await setup();
    const token = await mint();
    await authenticator.authenticate(`Bearer ${token}`);
    const tampered = `${token.slice(0, -2)}AA`;
    expect((await authenticator.authenticate(`Bearer ${tampered}`)).error).toMatchObject({ reason: "TOKEN_INVALID" });
    expect((await authenticator.authenticate(`Bearer ${tampered}`)).error).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(authenticator.cacheStats()).toMatchObject({ size: 1, hits: 0, misses: 3 });
  });

  it("is bounded", async () => {
    const { authenticator, mint } = await setup(2);
    for (const session of ["a", "b", "c"]) await authenticator.authenticate(`Bearer ${await mint(session)}`);
    expect(authenticator.cacheStats().size).toBe(2);
  });

  it("is bounded in bytes too: a few large tokens push out older entries, one larger than the budget is not kept", async () => {
    const { authenticator, mint } = await setup(100, 20_000);
    const small = await Promise.all(["a", "b", "c"].map((session) => mint(session)));
    for (const token of small) await authenticator.authenticate(`Bearer ${token}`);
    const large = await mint("d", { blob: "x".repeat(4500) });
    await authenticator.authenticate(`Bearer ${large}`);
    expect(authenticator.cacheStats()).toMatchObject({ size: 4, bytes: entryBytes(large) + small.reduce((sum, token) => sum + entryBytes(token), 0) });
    const larger = await mint("e", { blob: "y".repeat(4500) });
    await authenticator.authenticate(`Bearer ${larger}`);
    // Everything older made room: the estimate stays within the budget.
    expect(authenticator.cacheStats()).toMatchObject({ size: 1, bytes: entryBytes(larger) });

    const tight = await setup(100, 5000);
    expect((await tight.authenticator.authenticate(`Bearer ${large}`)).claims).toMatchObject({ sub: "u1" });
    expect(tight.authenticator.cacheStats()).toMatchObject({ size: 0, bytes: 0 });
  });
});

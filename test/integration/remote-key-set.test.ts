// RemoteKeySet against a real HTTP provider on 127.0.0.1, with an injected clock: cache bounds,
// shared fetches, and the discovery and key-set checks.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteKeySet } from "../../src/auth/remote-key-set.js";
import { TokenVerificationError } from "../../src/auth/token-verification-error.js";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";

const POLICY = { timeoutSeconds: 2, cooldownSeconds: 30, minCacheSeconds: 60, maxCacheSeconds: 3600 };

let provider: TestOidcProvider;
beforeAll(async () => {
  provider = await startOidcProvider();
});
afterAll(() => provider.close());

function clockAt(start = Date.now()) {
  let now = start;
  const clock = () => new Date(now);
  return Object.assign(clock, { advance: (seconds: number) => void (now += seconds * 1000) });
}

const keySet = (clock: () => Date, overrides: Partial<ConstructorParameters<typeof RemoteKeySet>[0]> = {}) =>
  new RemoteKeySet({ issuer: provider.issuer, jwksUri: null, policy: POLICY, clock, ...overrides });

/** Resolves a known key, then lets any background refresh finish. */
async function useKnownKey(set: RemoteKeySet) {
  await set.getKey({ alg: "RS256", kid: provider.keys.at(-1)!.kid });
  await set.ensureLoaded();
  await new Promise((resolve) => setImmediate(resolve));
}

describe("RemoteKeySet", () => {
  it("50 concurrent first lookups share one discovery and one JWKS fetch", async () => {
    const before = { discovery: provider.discoveryRequests, jwks: provider.jwksRequests };
    const set = keySet(clockAt());
    const keys = await Promise.all(Array.from({ length: 50 }, () => set.getKey({ alg: "RS256", kid: provider.keys.at(-1)!.kid })));
    expect(new Set(keys).size).toBe(1);
    expect(provider.discoveryRequests - before.discovery).toBe(1);
    expect(provider.jwksRequests - before.jwks).toBe(1);
    expect(set.status()).toEqual({ loaded: true, lastError: null, fetches: 1 });
  });

  it.each([
    ["public, max-age=10", 60],
    ["max-age=600", 600],
    ["max-age=999999", 3600],
    ["no-store", 60],
    ["", 600],
  ])("Cache-Control %j keeps the keys %i s", async (cacheControl, seconds) => {
    provider.cacheControl = cacheControl;
    try {
      const clock = clockAt();
      const set = keySet(clock);
      await useKnownKey(set);
      const after = provider.jwksRequests;
      clock.advance(seconds - 1);
      await useKnownKey(set);
      expect(provider.jwksRequests).toBe(after);
      clock.advance(2);
      await useKnownKey(set);
      await expect.poll(() => provider.jwksRequests).toBe(after + 1);
    } finally {
      provider.cacheControl = "public, max-age=120";
    }
  });

  it("refuses a discovery document that names another issuer, and a set without public signing keys", async () => {
    const server = http.createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: "https://elsewhere.example.com", jwks_uri: `${origin}/jwks` }));
      else res.end(JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0", kid: "hs" }, { ...provider.keys[0]!.publicJwk, use: "enc" }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const discovered = new RemoteKeySet({ issuer: origin, jwksUri: null, policy: POLICY, clock: clockAt() });
      await expect(discovered.getKey({ alg: "RS256", kid: "hs" })).rejects.toThrow(TokenVerificationError);
      expect(discovered.status().lastError).toBe("the discovery document names another issuer");
      const direct = new RemoteKeySet({ issuer: origin, jwksUri: `${origin}/jwks`, policy: POLICY, clock: clockAt() });
      await expect(direct.getKey({ alg: "HS256", kid: "hs" })).rejects.toThrow(/could not be fetched \(the key set has no usable public signing keys\)/);
    } finally {
      server.close();
    }
  });

  it("a key set that could not load is retried only after the cooldown", async () => {
    provider.down = true;
    const clock = clockAt();
    const set = keySet(clock);
    try {
      await expect(set.getKey({ alg: "RS256", kid: "k" })).rejects.toThrow(/HTTP 503/);
      await expect(set.getKey({ alg: "RS256", kid: "k" })).rejects.toThrow(/HTTP 503/);
      expect(set.status().fetches).toBe(1);
      provider.down = false;
      clock.advance(POLICY.cooldownSeconds - 1);
      await expect(set.getKey({ alg: "RS256", kid: provider.keys.at(-1)!.kid })).rejects.toThrow(/could not be fetched/);
      clock.advance(2);
      await expect(set.getKey({ alg: "RS256", kid: provider.keys.at(-1)!.kid })).resolves.toBeDefined();
      expect(set.status()).toMatchObject({ loaded: true, lastError: null, fetches: 2 });
    } finally {
      provider.down = false;
    }
  });

  it("a token without kid is accepted only when the set holds one key", async () => {
    const set = keySet(clockAt());
    await expect(set.getKey({ alg: "RS256" })).resolves.toBeDefined();
    await provider.rotate();
    const fresh = keySet(clockAt());
    await expect(fresh.getKey({ alg: "RS256" })).rejects.toThrow(/no kid header/);
  });
});

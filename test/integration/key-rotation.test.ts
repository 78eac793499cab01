// Asymmetric keys over HTTP: the JWKS endpoint, verification by a third party, and a rotation.
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { generatePemKeyPair } from "../support/test-keys.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const OLD = generatePemKeyPair("ES256");
const NEW = generatePemKeyPair("EdDSA");
const servers: TestServer[] = [];
const start = async (keys: unknown[], activeKid?: string) => {
  const server = await startTestServer({ JWT_SECRET: "", JWT_KEYS: JSON.stringify(keys), ...(activeKid ? { JWT_ACTIVE_KID: activeKid } : {}) });
  servers.push(server);
  return server;
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
const viewer = (server: TestServer, token: string) =>
  server.gql("{ viewer { authenticated tokenError { reason } } }", { token }).then((response) => response.body.data!["viewer"]);

describe("JWKS", () => {
  it("publishes the public keys with cache headers, and a third party verifies our tokens with them", async () => {
    const server = await start([{ kid: "es-1", alg: "ES256", privateKey: OLD.privateKey }]);
    const response = await fetch(new URL("/.well-known/jwks.json", server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: "es-1", kty: "EC", crv: "P-256", alg: "ES256", use: "sig" })]);
    expect(jwks.keys[0]).not.toHaveProperty("d");

    const { accessToken } = await server.login(ALICE.email, ALICE.password);
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks as never), {
      issuer: "urn:claimgate:issuer",
      audience: "urn:claimgate:api",
      typ: "at+jwt",
    });
    expect(payload).toMatchObject({ role: "admin" });
  });

  it("publishes nothing secret for an HS256 ring", async () => {
    const server = await startTestServer();
    servers.push(server);
    expect(await (await fetch(new URL("/.well-known/jwks.json", server.url))).json()).toEqual({ keys: [] });
  });
});

describe("key rotation without downtime", () => {
  it("add the new key as active, keep the old one to verify, then remove it", async () => {
    const before = await start([{ kid: "2026-05", alg: "ES256", privateKey: OLD.privateKey }]);
    const oldToken = (await before.login(ALICE.email, ALICE.password)).accessToken;

    const during = await start(
      [
        { kid: "2026-11", alg: "EdDSA", privateKey: NEW.privateKey },
        { kid: "2026-05", alg: "ES256", publicKey: OLD.publicKey },
      ],
      "2026-11",
    );
    expect(await viewer(during, oldToken)).toEqual({ authenticated: true, tokenError: null });
    const newToken = (await during.login(ALICE.email, ALICE.password)).accessToken;
    expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString())).toMatchObject({ alg: "EdDSA", kid: "2026-11" });
    const jwks = (await (await fetch(new URL("/.well-known/jwks.json", during.url))).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(["2026-11", "2026-05"]);

    const after = await start([{ kid: "2026-11", alg: "EdDSA", privateKey: NEW.privateKey }]);
    expect(await viewer(after, newToken)).toEqual({ authenticated: true, tokenError: null });
    expect(await viewer(after, oldToken)).toEqual({ authenticated: false, tokenError: { reason: "TOKEN_INVALID" } });
  });
});

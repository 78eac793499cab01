import { itOnSqlite, testQuery } from "../support/test-database.js";
import { join } from "node:path";
// NODE_ENV=production: no Sandbox, no introspection, no suggestions, no stack traces, CSRF
// prevention on, unexpected errors masked and logged under the request id, no secrets in logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTROSPECTION_DISABLED_MESSAGE } from "../../src/server/introspection-disabled-rule.js";
import { startServerProcess } from "../support/server-process.js";
import { firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
const logs: string[] = [];
let bob: { accessToken: string; refreshToken: string };

beforeAll(async () => {
  // Production never seeds, so the test creates its account through the API.
  t = await startTestServer({ NODE_ENV: "production", SEED_DEMO_USERS: "false", HOST: "127.0.0.1", REQUIRE_EMAIL_VERIFICATION: "false" }, { logs });
  const { body } = await t.gql(`mutation { register(email: "bob@example.com", password: "bob-password-123") { auth { accessToken refreshToken } } }`);
  bob = body.data!["register"].auth;
});
afterAll(() => t.stop());

describe("production mode", () => {
  itOnSqlite("stops on its configuration before it opens a database: the same run as on the SQLite pass")("refuses to start without a signing key, saying what to set", async () => {
    // Both processes at once: each is mostly start-up.
    const attempt = startServerProcess({ NODE_ENV: "production", SEED_DEMO_USERS: "false", DATA_DIR: t.dataDir, JWT_SECRET: "" });
    const weak = startServerProcess({ NODE_ENV: "production", SEED_DEMO_USERS: "false", DATA_DIR: t.dataDir, JWT_SECRET: "changeme-changeme-changeme-changeme" });
    weak.catch(() => undefined);
    await expect(attempt).rejects.toThrow(
      "claimgate cannot start.\nInvalid configuration:\n  - JWT_KEYS_FILE (create one with `claimgate keys generate --out <file>`), JWT_KEYS or JWT_SECRET (at least 32 random bytes) is required in production",
    );
    await expect(weak).rejects.toThrow(/JWT_SECRET is too weak/);
  });

  it("serves /metrics only with METRICS_TOKEN, and only to its bearer", async () => {
    expect((await fetch(new URL("/metrics", t.url))).status).toBe(404);
    const metricsToken = "metrics-secret-0123456789";
    const other = await startTestServer({ NODE_ENV: "production", SEED_DEMO_USERS: "false", HOST: "127.0.0.1", REQUIRE_EMAIL_VERIFICATION: "false", METRICS_TOKEN: metricsToken });
    try {
      const url = new URL("/metrics", other.url);
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect((await fetch(url, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toMatch(/^claimgate_password_verifications_total \d+$/m);
    } finally {
      await other.stop();
    }
  });

  itOnSqlite("PostgreSQL keeps its files in its own data directory")("creates the database file readable by its owner only (0600)", async () => {
    const { stat } = await import("node:fs/promises");
    expect((await stat(join(t.dataDir, "claimgate.db"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(t.dataDir, "claimgate.db-wal"))).mode & 0o777).toBe(0o600);
  });

  it("serves no Sandbox landing page", async () => {
    const response = await fetch(t.url, { headers: { accept: "text/html" } });
    expect(await response.text()).not.toMatch(/sandbox/i);
  });

  it("refuses introspection", async () => {
    const response = await t.gql("{ __schema { types { name } } }");
    expect(response.status).toBe(400);
    expect(firstError(response)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", message: INTROSPECTION_DISABLED_MESSAGE });
  });

  it("gives no field suggestions", async () => {
    const response = await t.gql("{ viewr { authenticated } }");
    expect(response.status).toBe(400);
    expect(firstError(response).message).not.toMatch(/Did you mean/);
  });

  it("keeps CSRF prevention on: a simple GET without a preflight header is refused", async () => {
    const response = await fetch(`${t.url}?query=${encodeURIComponent("{ viewer { authenticated } }")}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
    const allowed = await fetch(`${t.url}?query=${encodeURIComponent("{ viewer { authenticated } }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(allowed.status).toBe(200);
  });

  it("masks unexpected errors, logs them under the request id, and shows no stack", async () => {
    // A real internal failure: the posts table disappears under the running server.
    await testQuery(t.env, 'ALTER TABLE "Post" RENAME TO "PostGone"');
    try {
      const me = (await t.gql("{ me { id } }", { token: bob.accessToken })).body.data!["me"].id;
      const response = await t.gql("query Feed($me: ID!) { drafts(authorId: $me) { title } }", { token: bob.accessToken, variables: { me } });
      const error = firstError(response);
      const requestId = response.headers.get("x-request-id")!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error).toEqual({ message: expect.stringMatching(/^Internal server error/), code: "INTERNAL_SERVER_ERROR", requestId });
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toMatch(/Post|prisma|stack/i);
      const logged = logs.map((line) => JSON.parse(line)).find((entry) => entry.event === "unexpected_error" && entry.requestId === requestId);
      expect(logged).toMatchObject({ operationName: "Feed", err: expect.objectContaining({ message: expect.any(String) }) });
    } finally {
      await testQuery(t.env, 'ALTER TABLE "PostGone" RENAME TO "Post"');
    }
  });

  it("logs one line per request and auth events, never a token, password or hash", async () => {
    await t.gql(`mutation { login(email: "bob@example.com", password: "wrong-password-123") { accessToken } }`);
    const login = await t.gql(`mutation LogIn { login(email: "bob@example.com", password: "bob-password-123") { accessToken refreshToken } }`);
    const { accessToken, refreshToken } = login.body.data!["login"];
    await t.gql(`mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`, { variables: { r: refreshToken } });
    await t.gql("{ users { id } }", { token: accessToken });
    await t.gql(`mutation ($r: String!) { logout(refreshToken: $r) }`, { variables: { r: bob.refreshToken } });

    const entries = logs.map((line) => JSON.parse(line));
    const events = entries.map((entry) => entry.event);
    expect(events).toEqual(
      expect.arrayContaining(["request", "registered", "login_failed", "login_succeeded", "refresh_succeeded", "authorization_denied", "logout", "sessions_revoked"]),
    );
    expect(entries.find((entry) => entry.event === "request" && entry.operationName === "LogIn")).toMatchObject({
      requestId: expect.any(String),
      durationMs: expect.any(Number),
      outcome: "ok",
      status: 200,
    });
    expect(entries.find((entry) => entry.event === "authorization_denied" && entry.path === "users")).toMatchObject({
      code: "FORBIDDEN",
      requiredClaims: ["role=admin"],
    });

    const everything = logs.join("\n");
    for (const secret of [accessToken, refreshToken, bob.accessToken, bob.refreshToken, "bob-password-123", "wrong-password-123", "$argon2id$"]) {
      expect(everything).not.toContain(secret);
    }
  });
});

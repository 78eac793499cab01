// What operators rely on: health and readiness probes, graceful shutdown.
import { testQuery } from "../support/test-database.js";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess } from "../support/server-process.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("health and readiness", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it("/healthz answers while the process is up", async () => {
    const response = await fetch(new URL("/healthz", t.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/metrics shows the verified-token cache's hits and misses", async () => {
    const { accessToken } = await t.login("bob@example.com", "bob-password-123");
    for (let i = 0; i < 3; i++) await t.gql("{ me { id } }", { token: accessToken });
    const text = await (await fetch(new URL("/metrics", t.url))).text();
    expect(text).toMatch(/^claimgate_token_cache_hits_total [2-9]\d*$/m);
    expect(text).toMatch(/^claimgate_token_cache_misses_total [1-9]\d*$/m);
    expect(text).toMatch(/^claimgate_token_cache_entries [1-9]\d*$/m);
    expect(text).toMatch(/^claimgate_revoked_sessions \d+$/m);
  });

  it("sends no cache-control header: the cache-control plugin is off", async () => {
    const response = await t.gql("{ viewer { authenticated } }");
    expect(response.headers.get("cache-control")).toBeNull();
  });

  it("an unknown path gets a JSON 404 that says where GraphQL is", async () => {
    const response = await fetch(new URL("/nope", t.url));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ message: "Nothing is served at GET /nope; GraphQL is at /graphql.", extensions: { code: "NOT_FOUND" } }],
    });
  });

  it("/readyz is 200 when the database answers and every migration is applied, 503 otherwise", async () => {
    expect(await (await fetch(new URL("/readyz", t.url))).json()).toEqual({ status: "ready" });
    const [row] = await testQuery(t.env, "SELECT * FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1");
    if (!row) throw new Error("no migrations recorded");
    await testQuery(t.env, "DELETE FROM _prisma_migrations WHERE id = ?", [row["id"]]);
    try {
      const response = await fetch(new URL("/readyz", t.url));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "not_ready", reason: `migrations not applied: ${row["migration_name"]}`, fault: "migrations" });
    } finally {
      const columns = Object.keys(row);
      await testQuery(t.env, `INSERT INTO _prisma_migrations (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, Object.values(row));
    }
    expect((await fetch(new URL("/readyz", t.url))).status).toBe(200);
  });
});

describe("Apollo Sandbox in development", () => {
  it("the landing page embeds Sandbox, opened on a login mutation and a viewer query", async () => {
    const dev = await startTestServer({ NODE_ENV: "development" });
    try {
      const response = await fetch(dev.url, { headers: { accept: "text/html" } });
      const html = await response.text();
      expect(response.status).toBe(200);
      expect(html).toContain("embeddable-sandbox");
      expect(html).toContain("mutation Login");
      expect(html).toContain("bob@example.com");
      expect(html).toContain("query WhoAmI");
      // "/" leads there too.
      expect((await fetch(new URL("/", dev.url), { redirect: "manual" })).headers.get("location")).toBe("/graphql");
    } finally {
      await dev.stop();
    }
  });
});

describe("graceful shutdown", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "claimgate-shutdown-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("on SIGTERM, a request in flight completes, then the process exits 0", async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true" });
    const { port } = new URL(server.url);
    const body = JSON.stringify({ query: `mutation { login(email: "bob@example.com", password: "bob-password-123") { tokenType } }` });

    // The request is in flight: its headers are sent, its body is not yet complete.
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let response = "";
    socket.on("data", (chunk) => (response += chunk.toString()));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exit = server.stop("SIGTERM");
    // The body is completed only once the server has begun stopping.
    await expect.poll(() => server.output.some((line) => line.includes('"event":"server_stopping"')), { timeout: 10_000, interval: 20 }).toBe(true);
    socket.write(body.slice(10));
    await closed;

    expect(response, server.output.join("\n")).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('{"data":{"login":{"tokenType":"Bearer"}}}');
    expect(await exit).toBe(0);
    expect(server.output.join("\n")).toContain('"event":"server_stopping"');
  });
});

describe("HTTP timeouts", () => {
  it("a client that trickles its headers (slowloris) is cut off after HTTP_HEADERS_TIMEOUT with 408", async () => {
    const t = await startTestServer({ HTTP_HEADERS_TIMEOUT: "1s", HTTP_REQUEST_TIMEOUT: "2s" });
    try {
      const socket = connect(t.server.port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => (received += chunk.toString()));
      const started = performance.now();
      socket.write("POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n");
      await new Promise<void>((resolve) => socket.once("close", () => resolve()));
      const elapsed = performance.now() - started;
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await t.stop();
    }
  });
});


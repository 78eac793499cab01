// Issue 14, found in review: the password of DATABASE_URL must appear in no log line or message, whatever
// goes wrong: a server that cannot be reached at start, and connections killed under a running
// process (its pool and its change feed).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { postGraphQL, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { createPostgresDatabase, describeOnPostgres, dropPostgresDatabase, postgresUrlFor } from "../support/test-database.js";

const SECRET = "Sup3r-S3cret-Pa55";

describeOnPostgres("about PostgreSQL URLs")("the DATABASE_URL password in logs", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("names no password when the server cannot be reached at start", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "claimgate-secret-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const error = await startServerProcess({
      DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(48).toString("base64url"),
      DATABASE_URL: `postgresql://claimgate:${SECRET}@127.0.0.1:1/claimgate`,
    }).catch((caught: Error) => caught);
    expect(String(error)).toMatch(/cannot reach/);
    expect(String(error)).not.toContain(SECRET);
  });

  it("names no password when a running process loses its connections", async () => {
    const name = await createPostgresDatabase({ migrated: true });
    cleanups.push(() => dropPostgresDatabase(name));
    const url = new URL(postgresUrlFor(name));
    // The test cluster trusts local connections: any password is accepted, and carried in the URL.
    url.username = "postgres";
    url.password = SECRET;
    const dataDir = await mkdtemp(join(tmpdir(), "claimgate-secret-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server: ServerProcess = await startServerProcess({
      DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(48).toString("base64url"),
      DATABASE_URL: url.toString(),
      SEED_DEMO_USERS: "true",
      LOG_LEVEL: "debug",
    });
    cleanups.push(() => server.stop());
    const admin = new pg.Client(postgresUrlFor(name));
    await admin.connect();
    cleanups.push(() => admin.end());
    await postGraphQL(server.url, `mutation { login(email: "bob@example.com", password: "bob-password-123") { accessToken } }`);
    // Every connection of the process goes (a failover, pg_terminate_backend by an operator).
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    await postGraphQL(server.url, `mutation { login(email: "bob@example.com", password: "bob-password-123") { accessToken } }`);
    await fetch(new URL("/readyz", server.url));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const leaking = server.output.filter((line) => line.includes(SECRET));
    expect(leaking).toEqual([]);
  });
});

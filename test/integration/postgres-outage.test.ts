// PostgreSQL's counterpart of storage-faults.test.ts: the database server goes away under a
// running claimgate (stopped, as in a restart or failover) and comes back. Requests that need the
// database fail fast with 503 SERVICE_UNAVAILABLE, a clear message and the request id; /readyz
// turns red with the reason; both recover by themselves once the server is back. The cluster is
// this file's own (stopping the run's shared cluster would break the other files).
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyMigrations } from "../../src/db/migrations.js";
import { startThrowawayCluster, type ThrowawayCluster } from "../../src/db/throwaway-postgres.js";
import { describeOnPostgres } from "../support/test-database.js";
import { ALICE, firstError, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE = `mutation ($title: String!) { createPost(input: { title: $title, body: "." }) { id } }`;

describeOnPostgres("needs a PostgreSQL server to stop; the SQLite faults are in storage-faults.test.ts")("a PostgreSQL server that goes away and comes back", () => {
  let cluster: ThrowawayCluster;
  let t: TestServer;
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const admin = new pg.Client(cluster.urlFor("postgres"));
    await admin.connect();
    await admin.query("CREATE DATABASE claimgate");
    await admin.end();
    await applyMigrations({ databaseUrl: cluster.urlFor("claimgate") });
    t = await startTestServer({ DATABASE_URL: cluster.urlFor("claimgate") });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await cluster?.destroy();
  });

  it("fails requests fast with 503 and the request id, turns /readyz red, and recovers by itself", async () => {
    const { accessToken } = await t.login(ALICE.email, ALICE.password);
    expect((await t.gql(CREATE, { variables: { title: "before" }, token: accessToken })).status).toBe(200);
    expect((await fetch(new URL("/readyz", t.url))).status).toBe(200);

    await cluster.stop();
    const started = Date.now();
    const refused = await t.gql(CREATE, { variables: { title: "during" }, token: accessToken });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(refused.status).toBe(503);
    expect(firstError(refused)).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      reason: "DATABASE_UNAVAILABLE",
      message: "The database is unavailable; retry later.",
      requestId: expect.any(String),
    });
    const login = await t.gql(`mutation { login(email: "${ALICE.email}", password: "${ALICE.password}") { accessToken } }`);
    expect(login.status).toBe(503);
    const ready = await fetch(new URL("/readyz", t.url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "not_ready", fault: "unavailable", reason: expect.stringMatching(/PostgreSQL did not take the probe write/) });
    // Liveness stays green: restarting the process would not bring the database back.
    expect((await fetch(new URL("/healthz", t.url))).status).toBe(200);

    await cluster.start();
    expect((await fetch(new URL("/readyz", t.url))).status).toBe(200);
    const after = await t.gql(CREATE, { variables: { title: "after" }, token: accessToken });
    expect(after.status).toBe(200);
    expect(after.body.data?.["createPost"]?.id).toEqual(expect.any(String));
  });
});

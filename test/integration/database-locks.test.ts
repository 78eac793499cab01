// Finding 1 and 2 of "Storage that never loses an acknowledged write": an external write lock
// must not freeze the server, and one request's failing transaction must not take other
// requests' acknowledged writes with it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Sqlite from "better-sqlite3";
import { describeOnSqlite, releaseDatabaseFor, testQuery } from "../support/test-database.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { holdWriteLock } from "../support/lock-holder.js";
import { postGraphQL, startServerProcess } from "../support/server-process.js";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

const BUSY_TIMEOUT_MS = 3000;
const HOLD_MS = 15_000;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

describeOnSqlite("holds SQLite's file lock; PostgreSQL locks rows, not the database")("an external connection holds the write lock until it is told to commit (at most 15 s)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ DB_BUSY_TIMEOUT: `${BUSY_TIMEOUT_MS}ms` });
  });
  afterAll(() => t.stop());

  it("reads and /healthz keep answering; queued writes fail with DATABASE_LOCKED within DB_BUSY_TIMEOUT; writes work again afterwards", async () => {
    const alice = await t.login(ALICE.email, ALICE.password);
    const bob = await t.login(BOB.email, BOB.password);
    const write = (title: string) => t.gql(`mutation ($title: String!) { createPost(input: { title: $title, body: "." }) { id } }`, {
      token: alice.accessToken,
      variables: { title },
    });

    const holder = await holdWriteLock(join(t.dataDir, "claimgate.db"), HOLD_MS);
    const lockedAt = performance.now();

    // Three writes queue behind the lock at once; each gives up after its own timeout.
    let settled = false;
    const writes = Promise.all([1, 2, 3].map((i) => timed(() => write(`queued ${i}`)))).finally(() => (settled = true));

    // Meanwhile reads and the liveness probe answer promptly, again and again, until the writes
    // have given up, and once more after.
    const readTimes: number[] = [];
    const healthTimes: number[] = [];
    for (let last = false; !last; ) {
      last = settled;
      const read = await timed(() => t.gql("{ posts(first: 5) { title } }", { token: bob.accessToken }));
      expect(read.value.status).toBe(200);
      expect(read.value.body.data!["posts"].length).toBeGreaterThan(0);
      readTimes.push(read.ms);
      const health = await timed(() => fetch(new URL("/healthz", t.url)));
      expect(health.value.status).toBe(200);
      healthTimes.push(health.ms);
      await sleep(100);
    }
    expect(Math.max(...readTimes)).toBeLessThan(2000);
    expect(Math.max(...healthTimes)).toBeLessThan(2000);

    for (const { ms, value } of await writes) {
      expect(value.status).toBe(503);
      expect(value.headers.get("retry-after")).toBe("1");
      expect(value.body.data).toBeNull();
      expect(firstError(value)).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_LOCKED", requestId: value.headers.get("x-request-id") });
      expect(ms).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(BUSY_TIMEOUT_MS + 2000);
    }
    // The lock is still held: the failures came from the deadline, not from its end.
    expect(holder.child.exitCode).toBeNull();
    expect(performance.now() - lockedAt).toBeLessThan(HOLD_MS);

    await holder.release();
    const after = await write("after the lock");
    expect(after.status).toBe(200);
    expect(after.body.data!["createPost"].id).toEqual(expect.any(String));

    // What an operator sees on /metrics.
    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(Number(/^claimgate_db_lock_timeouts_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    expect(Number(/^claimgate_db_busy_retries_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^claimgate_db_faults_total\{kind="locked"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/^claimgate_db_waiting_writes 0$/m);
  }, 40_000);
});

describe("transactions are isolated from other requests", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it("failing transactions under concurrent createPost load roll back no acknowledged post", async () => {
    const alice = await t.login(ALICE.email, ALICE.password);
    const db = t.server.services.db;
    let stop = false;
    let rolledBack = 0;
    // Transactions shaped like the login throttle's: a write, a pause (other requests run), then a failure.
    const saboteurs = [1, 2, 3, 4].map(async (n) => {
      while (!stop) {
        await db
          .$transaction(async (tx) => {
            await tx.loginThrottle.upsert({
              where: { key: `sabotage:${n}` },
              create: { key: `sabotage:${n}`, failures: 1, windowStart: new Date() },
              update: { failures: { increment: 1 } },
            });
            await sleep(2);
            throw new Error("forced rollback");
          })
          .catch((error: Error) => {
            if (error.message !== "forced rollback") throw error;
            rolledBack++;
          });
      }
    });

    const acknowledged: string[] = [];
    const failed: unknown[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.gql(`mutation ($title: String!) { createPost(input: { title: $title, body: "." }) { id } }`, {
            token: alice.accessToken,
            variables: { title: `load ${batch}-${i}` },
          }),
        ),
      );
      for (const response of responses) {
        if (response.status === 200 && response.body.data?.["createPost"]) acknowledged.push(response.body.data["createPost"].id);
        else failed.push(response.body);
      }
    }
    stop = true;
    await Promise.all(saboteurs);

    expect(failed).toEqual([]);
    expect(rolledBack).toBeGreaterThan(20);
    {
      const stored = new Set((await testQuery<{ id: string }>(t.env, `SELECT "id" FROM "Post" WHERE "title" LIKE 'load %'`)).map((row) => row.id));
      expect(acknowledged).toHaveLength(300);
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(await testQuery(t.env, `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "LoginThrottle" WHERE "key" LIKE 'sabotage:%'`)).toEqual([{ n: 0 }]);
    }
  }, 60_000);
});

describe("two processes sharing the file", () => {
  it("concurrent writes through both processes all succeed and all stay: lock contention is waited out, not failed", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "claimgate-two-writers-"));
    const env = { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true" };
    // This test's process is one writer (it migrates and seeds), a real server process the other.
    const a = await startTestServer(env);
    const b = await startServerProcess(env);
    try {
      const login = await postGraphQL(a.url, `mutation { login(email: "${ALICE.email}", password: "${ALICE.password}") { accessToken } }`);
      const token = login.body.data.login.accessToken as string;
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          postGraphQL(i % 2 === 0 ? a.url : b.url, `mutation ($title: String!) { createPost(input: { title: $title, body: "." }) { id } }`, {
            token,
            variables: { title: `two ${i}` },
          }),
        ),
      );
      expect(responses.filter((response) => response.status !== 200 || !response.body.data?.createPost)).toEqual([]);
      {
        expect(await testQuery(env, `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "Post" WHERE "title" LIKE 'two %'`)).toEqual([{ n: 200 }]);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await releaseDatabaseFor(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describeOnSqlite("takes SQLite's file lock from this process at an exact moment; PostgreSQL locks rows")(
  "the database locked just as a wrong password's check ends",
  () => {
    it("answers INVALID_CREDENTIALS all the same, and logs that the reservation could not be ended", async () => {
      let locker: InstanceType<typeof Sqlite> | undefined;
      let dataDir = "";
      // The login_failed line is written after the verification and before the reservation is
      // ended: take the write lock right then, from another connection.
      const lines: string[] = [];
      const logs = Object.assign(lines, {
        push(line: string) {
          if (line.includes('"event":"login_failed"') && !locker) {
            locker = new Sqlite(join(dataDir, "claimgate.db"));
            locker.exec("BEGIN IMMEDIATE");
          }
          return Array.prototype.push.call(lines, line);
        },
      });
      const t = await startTestServer({ DB_BUSY_TIMEOUT: "300ms" }, { logs });
      dataDir = t.dataDir;
      try {
        const response = await t.gql(`mutation { login(email: "${BOB.email}", password: "not-bobs-password") { accessToken } }`);
        expect(response.status).toBe(401);
        expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
        expect(lines.map((line) => JSON.parse(line) as { event?: string; level: number }).filter((line) => line.event === "throttle_settle_failed")).toEqual([
          expect.objectContaining({ level: 50 }),
        ]);
      } finally {
        locker?.exec("ROLLBACK");
        locker?.close();
        await t.stop();
      }
    });
  },
);

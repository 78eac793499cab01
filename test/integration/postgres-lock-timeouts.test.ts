// On PostgreSQL a lock held by someone else (an operator's ALTER TABLE or VACUUM FULL, a psql
// session left in a transaction) must not make requests hang for as long as it is held, nor let
// the requests waiting for it take every connection of the pool: DB_BUSY_TIMEOUT is the pool's
// lock_timeout, DB_STATEMENT_TIMEOUT its statement_timeout. SQLite's locks are in
// database-locks.test.ts.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeLocker, openLocker } from "../support/postgres-locker.js";
import { describeOnPostgres } from "../support/test-database.js";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

// Short, so each lock wait costs the test little.
const BUSY_TIMEOUT_MS = 1000;
// Longer than the pool's 3 s minimum connect timeout, so the pool must wait for a free connection
// longer than a lock wait (connect timeout = DB_BUSY_TIMEOUT + 1 s), not just 3 s.
const POOL_BUSY_TIMEOUT_MS = 3500;

interface Answer {
  status: number | "no answer";
  ms: number;
  retryAfter?: string | null;
  body?: any;
}

/** A GraphQL request that gives up after `ms` (the status is then "no answer"). */
async function ask(t: TestServer, query: string, token: string, ms: number): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(ms),
    });
    const body = await response.json();
    return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get("retry-after"), body };
  } catch {
    return { status: "no answer", ms: performance.now() - started };
  }
}

/**
 * A test server started with `env` and a locker connection for the describe block it is called
 * in, both stopped after it; `lockPosts()` logs bob in and locks the Post table from the locker.
 */
function serverWithLocker(env: Record<string, string>) {
  const ctx = {} as { t: TestServer; locker: pg.Client; lockPosts(): Promise<string> };
  beforeAll(async () => {
    ctx.t = await startTestServer(env);
    ctx.locker = await openLocker(ctx.t);
  });
  afterAll(async () => {
    await closeLocker(ctx.locker);
    await ctx.t?.stop();
  });
  ctx.lockPosts = async () => {
    const bob = await ctx.t.login(BOB.email, BOB.password);
    await ctx.locker.query("BEGIN");
    await ctx.locker.query(`LOCK TABLE "Post" IN ACCESS EXCLUSIVE MODE`);
    return bob.accessToken;
  };
  return ctx;
}

/** Another connection, as psql would be: it takes locks and holds them until ROLLBACK. */
describeOnPostgres("needs a PostgreSQL lock held by another connection; SQLite's are in database-locks.test.ts")("PostgreSQL locks held by another connection", () => {
  describe("DB_BUSY_TIMEOUT as lock_timeout", () => {
    const server = serverWithLocker({ DB_BUSY_TIMEOUT: `${BUSY_TIMEOUT_MS}ms` });
    afterEach(async () => {
      await server.locker.query("ROLLBACK").catch(() => undefined);
    });

    it("answers a request whose table is locked after DB_BUSY_TIMEOUT, with 503 DATABASE_LOCKED, Retry-After and a request id", async () => {
      const { t, locker } = server;
      const token = await server.lockPosts();
      const answer = await ask(t, "{ posts { id } }", token, 15_000);
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe("1");
      expect(answer.body.errors[0].extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_LOCKED", requestId: expect.any(String) });
      expect(answer.ms).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS - 50);
      expect(answer.ms).toBeLessThan(BUSY_TIMEOUT_MS + 5000);
      // Once the lock is gone, the same request succeeds.
      await locker.query("ROLLBACK");
      expect((await ask(t, "{ posts { id } }", token, 15_000)).status).toBe(200);
    });

    it("answers a request waiting for a row lock (a psql session left in a transaction) with 503 DATABASE_LOCKED", async () => {
      const { t, locker } = server;
      const bob = await t.login(BOB.email, BOB.password);
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM "User" WHERE "email" = $1 FOR UPDATE`, [BOB.email]);
      const answer = await ask(t, "mutation { logoutAll }", bob.accessToken, 15_000);
      expect(answer.status).toBe(503);
      expect(answer.body.errors[0].extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_LOCKED" });
    });

  });

  describe("DB_BUSY_TIMEOUT as lock_timeout, with more waiters than connections", () => {
    const server = serverWithLocker({ DB_BUSY_TIMEOUT: `${POOL_BUSY_TIMEOUT_MS}ms` });

    it("keeps serving other tables while more requests than the pool has connections wait for a locked one", async () => {
      const { t } = server;
      const token = await server.lockPosts();
      // Twelve waiters for a pool of ten.
      const stuck = Array.from({ length: 12 }, () => ask(t, "{ posts { id } }", token, 20_000));
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Nothing to do with posts: the caller's sessions.
      const sessions = await ask(t, "{ sessions { id } }", token, 15_000);
      expect(sessions.status).toBe(200);
      expect(sessions.body.data.sessions.length).toBeGreaterThan(0);
      for (const answer of await Promise.all(stuck)) {
        expect(answer.status).toBe(503);
        expect(answer.body.errors[0].extensions.reason).toBe("DATABASE_LOCKED");
      }
    });
  });

  describe("DB_STATEMENT_TIMEOUT as statement_timeout", () => {
    // A statement timeout shorter than the lock timeout: the server cancels the waiting statement.
    const server = serverWithLocker({ DB_BUSY_TIMEOUT: "10s", DB_STATEMENT_TIMEOUT: "1s" });

    it("cancels a statement that runs past DB_STATEMENT_TIMEOUT and answers 503 DATABASE_UNAVAILABLE", async () => {
      const { t, locker } = server;
      const token = await server.lockPosts();
      const answer = await ask(t, "{ posts { id } }", token, 15_000);
      expect(answer.status).toBe(503);
      expect(answer.body.errors[0].extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_UNAVAILABLE", requestId: expect.any(String) });
      expect(answer.ms).toBeLessThan(6000);
      await locker.query("ROLLBACK");
      expect((await ask(t, "{ posts { id } }", token, 15_000)).status).toBe(200);
    });
  });
});

// Review (issue 14): on PostgreSQL nothing bounds how long a statement may wait (no
// statement_timeout / lock_timeout on the pool; DB_BUSY_TIMEOUT is SQLite-only). A lock held by
// someone else (an operator's ALTER TABLE or VACUUM FULL, a psql session left in a transaction, a
// migration waiting) makes every request touching that table hang for as long as the lock is
// held, and ten such requests hold all of the pool's connections, so requests on other tables,
// other users and /readyz's neighbours fail too. SQLite answers 503 DATABASE_LOCKED after
// DB_BUSY_TIMEOUT in the same situation (database-locks.test.ts).
import pg from "pg";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeOnPostgres } from "../support/test-database.js";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

describeOnPostgres("needs a PostgreSQL lock held by another connection; SQLite's are in database-locks.test.ts")("review: a PostgreSQL lock held by another connection", () => {
  let t: TestServer;
  let locker: pg.Client;
  beforeAll(async () => {
    t = await startTestServer();
    locker = new pg.Client(t.env["DATABASE_URL"]);
    await locker.connect();
  });
  afterEach(async () => {
    await locker.query("ROLLBACK").catch(() => undefined);
  });
  afterAll(async () => {
    await locker?.end();
    await t?.stop();
  });

  /** A GraphQL request that gives up after `ms` (the status is then "no answer"). */
  async function ask(query: string, token: string, ms: number): Promise<{ status: number | "no answer"; body?: any }> {
    try {
      const response = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(ms),
      });
      return { status: response.status, body: await response.json() };
    } catch {
      return { status: "no answer" };
    }
  }

  it("answers a request whose table is locked within seconds, with 503 and a request id", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE "Post" IN ACCESS EXCLUSIVE MODE`);
    const answer = await ask("{ posts { id } }", bob.accessToken, 15_000);
    expect(answer.status).toBe(503);
    expect(answer.body.errors[0].extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", requestId: expect.any(String) });
  });

  it("answers a request waiting for a row lock (a psql session left in a transaction) within seconds, with 503", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    await locker.query("BEGIN");
    await locker.query(`SELECT 1 FROM "User" WHERE "email" = $1 FOR UPDATE`, [BOB.email]);
    const answer = await ask("mutation { logoutAll }", bob.accessToken, 15_000);
    expect(answer.status).toBe(503);
  });

  it("keeps serving other tables while requests wait for a locked one (the waits do not take the whole pool)", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE "Post" IN ACCESS EXCLUSIVE MODE`);
    const stuck = Array.from({ length: 12 }, () => ask("{ posts { id } }", bob.accessToken, 20_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Nothing to do with posts: the caller's sessions.
    const sessions = await ask("{ sessions { id } }", bob.accessToken, 15_000);
    expect(sessions.status).toBe(200);
    await locker.query("ROLLBACK");
    await Promise.all(stuck);
  });
});

// Issue 14, found in review: three processes started at once on a new database all seed the demo data.
// createDemoData commits the accounts in one transaction and grants their roles in a LATER
// statement (src/db/seed-demo-data.ts); a second process that reads the accounts in between takes
// the "restore" path, finds no roles and grants them itself. The two grants then collide on
// UserRole's primary key and a process fails to start. A trigger that slows the first grant (as a
// loaded host would) holds the window open.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { createPostgresDatabase, describeOnPostgres, dropPostgresDatabase, postgresUrlFor } from "../support/test-database.js";

describeOnPostgres("holds the window open with a PostgreSQL trigger")("three processes seeding one new database at once", () => {
  const started: ServerProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("starts all three (the later two a moment after the first), each demo account holding its roles once", async () => {
    const name = await createPostgresDatabase({ migrated: true });
    cleanups.push(() => dropPostgresDatabase(name));
    const url = postgresUrlFor(name);
    const locker = new pg.Client(url);
    await locker.connect();
    cleanups.push(() => locker.end());
    const dataDir = await mkdtemp(join(tmpdir(), "claimgate-seed-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, DATABASE_URL: url, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true" };

    // The first process is slow between its two statements (a loaded host): its first grant of
    // a role waits 8 s before writing; later grants do not wait.
    await locker.query(`CREATE SEQUENCE review_first_grant`);
    await locker.query(`CREATE FUNCTION review_slow_first_grant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF nextval('review_first_grant') = 1 THEN PERFORM pg_sleep(3); END IF; RETURN NULL; END $$`);
    await locker.query(`CREATE TRIGGER review_slow_first_grant BEFORE INSERT ON "UserRole" FOR EACH STATEMENT EXECUTE FUNCTION review_slow_first_grant()`);
    const start = () => startServerProcess(env).then((p) => (started.push(p), p));
    // An orchestrator's starts are a moment apart: the next two begin once the first has created the accounts.
    const starts = [start()];
    const deadline = Date.now() + 30_000;
    while (Number((await locker.query(`SELECT count(*)::int AS n FROM "User"`)).rows[0].n) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    starts.push(start(), start());

    const outcomes = await Promise.allSettled(starts);
    const failures = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [String(outcome.reason).slice(0, 600)] : []));
    expect(failures).toEqual([]);
    const { rows } = await locker.query(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "UserRole"`);
    expect(rows[0].n).toBe(2);
  }, 90_000);
});

import pg from "pg";
import { afterAll, expect, it } from "vitest";
import type { DatabaseChange } from "../../src/db/database-change.js";
import { PostgresChangeFeed } from "../../src/db/postgres-change-feed.js";
import { createPostgresDatabase, describeOnPostgres, postgresAdminUrl, postgresUrlFor } from "../support/test-database.js";

// Rows as the tests need them, in the migrated schema (columns the triggers do not read get their defaults).
const user = (id: string) => `INSERT INTO "User" ("id", "email", "passwordHash", "updatedAt") VALUES ('${id}', '${id}@example.com', 'x', now())`;
const session = (id: string, revoked = false) =>
  `INSERT INTO "Session" ("id", "userId", "expiresAt", "revokedAt") VALUES ('${id}', 'u1', now() + interval '1 day', ${revoked ? "now()" : "NULL"})`;
const post = (id: string, published: boolean) => `INSERT INTO "Post" ("id", "authorId", "title", "body", "published") VALUES ('${id}', 'u1', 't', 'b', ${published})`;

/** Collects what a feed hears, and lets a test wait for a given change. */
function listener() {
  const changes: DatabaseChange[] = [];
  const waiters: { match: (change: DatabaseChange) => boolean; resolve: () => void }[] = [];
  return {
    changes,
    onChange(change: DatabaseChange) {
      changes.push(change);
      for (const waiter of waiters.filter((w) => w.match(change))) waiter.resolve();
    },
    until(match: (change: DatabaseChange) => boolean, ms = 5000): Promise<void> {
      if (changes.some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching change within ${ms} ms; heard ${JSON.stringify(changes)}`)), ms);
        waiters.push({ match, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

describeOnPostgres("LISTEN/NOTIFY is PostgreSQL's; SQLite processes poll")("PostgreSQL change feed (LISTEN/NOTIFY)", () => {
  const feeds: PostgresChangeFeed[] = [];

  /** A fresh migrated database with one user, and a writer connection to it. */
  async function freshDatabase(): Promise<{ url: string; writer: pg.Client }> {
    const url = postgresUrlFor(await createPostgresDatabase({ migrated: true }));
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    await writer.query(user("u1"));
    return { url, writer };
  }

  function feed(url: string, heard: ReturnType<typeof listener>, events: { listening?: () => void; disconnect?: (error: unknown) => void } = {}) {
    const created = new PostgresChangeFeed({
      connectionString: url,
      onChange: heard.onChange,
      onListening: events.listening ?? (() => undefined),
      onDisconnect: events.disconnect ?? (() => undefined),
      reconnectDelayMs: [20, 200],
    });
    feeds.push(created);
    return created;
  }

  afterAll(async () => {
    await Promise.all(feeds.map((f) => f.stop()));
  });

  it("hears every change another connection commits, and only those", async () => {
    const { url, writer } = await freshDatabase();
    const heard = listener();
    await feed(url, heard).start();
    await writer.query(user("u2"));
    await writer.query(session("s1"));
    await writer.query(session("s2"));
    // Not announced: a session used, an email changed, a draft saved, a version not raised.
    await writer.query(`UPDATE "Session" SET "lastUsedAt" = now() WHERE id = 's1'`);
    await writer.query(`UPDATE "User" SET "email" = 'c@example.com', "claimsVersion" = 0 WHERE id = 'u2'`);
    await writer.query(post("draft", false));
    // Announced, in this order.
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id = 's1'`);
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id = 's1'`); // already ended: silent
    await writer.query(`UPDATE "User" SET "claimsVersion" = "claimsVersion" + 1 WHERE id = 'u1'`);
    await writer.query(post("p1", true));
    await writer.query(`UPDATE "Post" SET "published" = true WHERE id = 'draft'`);
    await writer.query(`INSERT INTO "Role" ("id", "name", "updatedAt") VALUES ('r1', 'editor', now()), ('r2', 'viewer', now())`);
    await heard.until((change) => change.kind === "roles_changed");
    expect(heard.changes).toEqual([
      { kind: "session_ended", sessionId: "s1" },
      { kind: "claims_changed", userId: "u1", version: 1 },
      { kind: "post_published", postId: "p1" },
      { kind: "post_published", postId: "draft" },
      { kind: "roles_changed" },
    ]);
    await writer.end();
  });

  it("announces nothing from a transaction that rolls back, and everything at commit", async () => {
    const { url, writer } = await freshDatabase();
    const heard = listener();
    await feed(url, heard).start();
    for (const id of ["s1", "s2", "s3"]) await writer.query(session(id));
    await writer.query("BEGIN");
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id = 's1'`);
    await writer.query("ROLLBACK");
    await writer.query("BEGIN");
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id IN ('s2', 's3')`);
    await writer.query("COMMIT");
    await heard.until((change) => change.kind === "session_ended" && change.sessionId === "s3");
    expect(heard.changes.map((change) => change.kind === "session_ended" && change.sessionId).sort()).toEqual(["s2", "s3"]);
    await writer.end();
  });

  it("installs its triggers once when many processes start at once on a new database", async () => {
    const { url, writer } = await freshDatabase();
    const heard = Array.from({ length: 6 }, () => listener());
    await Promise.all(heard.map((h) => feed(url, h).start()));
    const { rows } = await writer.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'claimgate_%'`);
    expect(rows[0].n).toBe(5);
    await writer.query(session("s1", true));
    await writer.query(`UPDATE "Session" SET "revokedAt" = NULL WHERE id = 's1'`);
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id = 's1'`);
    await Promise.all(heard.map((h) => h.until((change) => change.kind === "session_ended")));
    // A trigger dropped by hand is put back by the next process that connects.
    await writer.query(`DROP TRIGGER claimgate_session_ended ON "Session"`);
    await feed(url, listener()).start();
    const again = await writer.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'claimgate_%'`);
    expect(again.rows[0].n).toBe(5);
    await writer.end();
  });

  it("reconnects by itself when its connection is killed, and says so, so the caller re-reads what it missed", async () => {
    const { url, writer } = await freshDatabase();
    const heard = listener();
    let listening = 0;
    const disconnects: unknown[] = [];
    await feed(url, heard, { listening: () => listening++, disconnect: (error) => disconnects.push(error) }).start();
    expect(listening).toBe(1);
    await writer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()`);
    await expect.poll(() => listening, { timeout: 5000 }).toBe(2);
    expect(disconnects.length).toBeGreaterThanOrEqual(1);
    await writer.query(session("after"));
    await writer.query(`UPDATE "Session" SET "revokedAt" = now() WHERE id = 'after'`);
    await heard.until((change) => change.kind === "session_ended" && change.sessionId === "after");
    await writer.end();
  });

  it("keeps retrying a database that is not there at start, and listens once it is", async () => {
    const name = `t_feed_${Date.now()}`;
    const heard = listener();
    let listening = 0;
    const disconnects: unknown[] = [];
    await feed(postgresUrlFor(name), heard, { listening: () => listening++, disconnect: (error) => disconnects.push(error) }).start();
    expect(listening).toBe(0);
    expect(String(disconnects[0])).toMatch(new RegExp(`database "${name}" does not exist`));
    const admin = new pg.Client({ connectionString: postgresAdminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${process.env["CLAIMGATE_TEST_POSTGRES_TEMPLATE"]}"`);
    await admin.end();
    await expect.poll(() => listening, { timeout: 5000 }).toBe(1);
  });
});

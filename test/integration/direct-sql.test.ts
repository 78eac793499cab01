// Direct statements (src/db/direct-sql.ts) against a real SQLite file: both ways of running them —
// SQLite's own (cached statements) and the generic path through Prisma's adapter interface, which
// PostgreSQL takes — store what Prisma reads back, and commit or roll back as a whole.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterOf, type Database, openDatabase } from "../../src/db/database.js";
import { type DirectSql, directSql, sql, throughDriverAdapter } from "../../src/db/direct-sql.js";
import { applyMigrations } from "../../src/db/migrations.js";
import { MIGRATIONS_DIR } from "../../src/project-root.js";

let dataDir: string;
let db: Database;
const ways: [string, () => Promise<DirectSql>][] = [
  ["SQLite's own", () => directSql(db)],
  ["through Prisma's adapter interface", async () => throughDriverAdapter(await adapterOf(db))],
];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "claimgate-direct-"));
  const databaseUrl = `file:${join(dataDir, "direct.db")}`;
  await applyMigrations({ databaseUrl, migrationsDir: MIGRATIONS_DIR });
  db = openDatabase({ databaseUrl });
});
afterAll(async () => {
  await db?.$disconnect();
  await rm(dataDir, { recursive: true, force: true });
});

describe.each(ways)("direct statements, %s", (name, open) => {
  const key = (suffix: string) => `${name}:${suffix}`;
  const at = new Date("2026-03-04T05:06:07.089Z");

  it("store timestamps, numbers and nulls as Prisma reads them, and find rows by them", async () => {
    const direct = await open();
    await direct.execute(sql`INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil") VALUES (${key("a")}, ${3}, ${at}, ${null})`);
    expect(await db.loginThrottle.findUnique({ where: { key: key("a") } })).toEqual({ key: key("a"), failures: 3, windowStart: at, lockedUntil: null, inFlight: 0 });
    const [row] = await direct.rows(sql`SELECT "failures" AS "count" FROM "LoginThrottle" WHERE "key" = ${key("a")} AND "windowStart" = ${at}`);
    expect(row).toEqual({ count: 3 });
    await db.loginThrottle.create({ data: { key: key("b"), failures: 1, windowStart: at } });
    expect(await direct.rows(sql`SELECT "key" FROM "LoginThrottle" WHERE "key" = ${key("b")} AND "windowStart" = ${at}`)).toEqual([{ key: key("b") }]);
  });

  it("commit a transaction's statements together, and roll all of them back when it throws", async () => {
    const direct = await open();
    const insert = (suffix: string) =>
      sql`INSERT INTO "LoginThrottle" ("key", "failures", "windowStart", "lockedUntil") VALUES (${key(suffix)}, ${1}, ${at}, ${at}) RETURNING "key"`;
    await expect(
      direct.transaction(async (tx) => {
        await tx.rows(insert("c"));
        await tx.rows(insert("d"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.loginThrottle.count({ where: { key: { in: [key("c"), key("d")] } } })).toBe(0);
    expect(await direct.transaction(async (tx) => [...(await tx.rows(insert("c"))), ...(await tx.rows(insert("d")))])).toEqual([{ key: key("c") }, { key: key("d") }]);
    expect(await db.loginThrottle.count({ where: { key: { in: [key("c"), key("d")] } } })).toBe(2);
    // The writer is free again: Prisma's own writes go on.
    await db.loginThrottle.delete({ where: { key: key("c") } });
  });

  it("report a unique violation inside a transaction and leave nothing of it behind", async () => {
    const direct = await open();
    const insert = sql`INSERT INTO "LoginThrottle" ("key", "failures", "windowStart") VALUES (${key("e")}, ${1}, ${at})`;
    await direct.execute(insert);
    await expect(
      direct.transaction(async (tx) => {
        await tx.execute(sql`UPDATE "LoginThrottle" SET "failures" = ${9} WHERE "key" = ${key("e")}`);
        await tx.execute(sql`INSERT INTO "LoginThrottle" ("key", "failures", "windowStart") VALUES (${key("e")}, ${1}, ${at})`);
      }),
    ).rejects.toThrow();
    expect((await db.loginThrottle.findUnique({ where: { key: key("e") } }))?.failures).toBe(1);
  });
});

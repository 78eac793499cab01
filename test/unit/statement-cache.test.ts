import Sqlite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheStatements } from "../../src/db/statement-cache.js";

/** What Prisma's SQLite adapter does with a statement: prepare(sql).bind(args), then run() or raw().all(). */
type Prepared = { bind(args: unknown[]): { reader: boolean; run(): Sqlite.RunResult; columns(): Sqlite.ColumnDefinition[]; raw(): { all(): unknown[][] } } };

let db: Sqlite.Database;
const prepare = (sql: string) => db.prepare(sql) as unknown as Prepared;

beforeEach(() => {
  db = new Sqlite(":memory:");
  db.exec(`CREATE TABLE "T" ("id" INTEGER PRIMARY KEY, "name" TEXT)`);
  cacheStatements(db);
});
afterEach(() => db.close());

describe("cacheStatements", () => {
  it("binds each call's own arguments to the one statement kept for a text", () => {
    const insert = `INSERT INTO "T" ("id", "name") VALUES (?, ?)`;
    prepare(insert).bind([1, "one"]).run();
    prepare(insert).bind([2, "two"]).run();
    const select = `SELECT "name" FROM "T" WHERE "id" = ?`;
    expect(prepare(select).bind([2]).raw().all()).toEqual([["two"]]);
    expect(prepare(select).bind([1]).raw().all()).toEqual([["one"]]);
    expect(prepare(select).bind([1]).columns().map((column) => column.name)).toEqual(["name"]);
  });

  /** A fresh cached connection, and how many statements better-sqlite3 itself compiled under the cache. */
  function counted(run: (connection: Sqlite.Database) => void): number {
    let compiled = 0;
    const proto = Object.getPrototypeOf(db) as { prepare: (...args: unknown[]) => unknown };
    const original = proto.prepare;
    proto.prepare = function (this: unknown, ...args: unknown[]) {
      compiled++;
      return original.apply(this, args);
    };
    const connection = new Sqlite(":memory:");
    try {
      cacheStatements(connection);
      run(connection);
    } finally {
      proto.prepare = original;
      connection.close();
    }
    return compiled;
  }
  const query = (connection: Sqlite.Database, sql: string) => (connection.prepare(sql) as unknown as Prepared).bind([]).raw().all();

  it("prepares a text once, however often it runs", () => {
    expect(counted((connection) => {
      for (let i = 0; i < 50; i++) expect(query(connection, "SELECT 1")).toEqual([[1]]);
    })).toBe(1);
  });

  it("stays bounded: past 500 texts the oldest is dropped and compiled again when it comes back", () => {
    expect(counted((connection) => {
      for (let i = 0; i < 501; i++) query(connection, `SELECT ${i}`);
      expect(query(connection, "SELECT 500")).toEqual([[500]]);
    })).toBe(501);
    expect(counted((connection) => {
      for (let i = 0; i < 501; i++) query(connection, `SELECT ${i}`);
      expect(query(connection, "SELECT 0")).toEqual([[0]]);
    })).toBe(502);
  });

  it("leaves better-sqlite3's own uses of prepare alone (pragmas)", () => {
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    db.pragma("user_version = 7");
    expect(db.pragma("user_version", { simple: true })).toBe(7);
  });
});

import { describe, expect, it } from "vitest";
import { renderSql, sql } from "../../src/db/direct-sql.js";

const at = new Date("2026-01-02T03:04:05.678Z");
const lookup = (hash: string, generation: number | null, now: Date) =>
  sql`UPDATE "RefreshToken" SET "consumedAt" = ${now} WHERE "tokenHash" = ${hash} AND "generation" = ${generation} RETURNING "id"`;

describe("renderSql", () => {
  it("renders SQLite's placeholders and binds values with Prisma's argument types", () => {
    expect(renderSql(lookup("h", 3, at), "sqlite")).toEqual({
      sql: `UPDATE "RefreshToken" SET "consumedAt" = ? WHERE "tokenHash" = ? AND "generation" = ? RETURNING "id"`,
      args: [at, "h", 3],
      argTypes: [
        { scalarType: "datetime", arity: "scalar" },
        { scalarType: "string", arity: "scalar" },
        { scalarType: "int", arity: "scalar" },
      ],
    });
  });

  it("numbers PostgreSQL's placeholders in order, and a null is bound untyped", () => {
    const query = renderSql(lookup("h", null, at), "postgres");
    expect(query.sql).toBe(`UPDATE "RefreshToken" SET "consumedAt" = $1 WHERE "tokenHash" = $2 AND "generation" = $3 RETURNING "id"`);
    expect(query.argTypes[2]).toEqual({ scalarType: "unknown", arity: "scalar" });
  });

  it("renders each call site once per provider, whatever the values", () => {
    const first = renderSql(lookup("a", 1, at), "sqlite");
    const second = renderSql(lookup("b", 2.5, at), "sqlite");
    expect(second.sql).toBe(first.sql);
    expect(second.args).toEqual([at, "b", 2.5]);
    expect(second.argTypes[2]).toEqual({ scalarType: "float", arity: "scalar" });
    expect(renderSql(lookup("a", 1, at), "postgres").sql).not.toBe(first.sql);
  });

  it("inlines a fragment's text and binds its values in place, numbering PostgreSQL's placeholders through it", () => {
    const keyed = (key: string) => sql`"key" = ${key}`;
    const since = (at: Date) => sql`"windowStart" >= ${at} AND ${keyed("inner")}`;
    const statement = (limit: number) => sql`SELECT 1 FROM "LoginThrottle" WHERE ${keyed("k")} AND ${since(at)} AND "failures" < ${limit}`;
    expect(renderSql(statement(5), "postgres")).toMatchObject({
      sql: `SELECT 1 FROM "LoginThrottle" WHERE "key" = $1 AND "windowStart" >= $2 AND "key" = $3 AND "failures" < $4`,
      args: ["k", at, "inner", 5],
    });
    expect(renderSql(statement(6), "sqlite")).toMatchObject({
      sql: `SELECT 1 FROM "LoginThrottle" WHERE "key" = ? AND "windowStart" >= ? AND "key" = ? AND "failures" < ?`,
      args: ["k", at, "inner", 6],
    });
  });

  it("renders a call site anew when it is given other fragments than before", () => {
    const first = sql`"a" = ${1}`;
    const second = sql`"b" = ${2}`;
    const site = (fragment: ReturnType<typeof sql>) => sql`SELECT 1 WHERE ${fragment}`;
    expect(renderSql(site(first), "sqlite").sql).toBe(`SELECT 1 WHERE "a" = ?`);
    expect(renderSql(site(second), "sqlite").sql).toBe(`SELECT 1 WHERE "b" = ?`);
    expect(renderSql(site(first), "sqlite").sql).toBe(`SELECT 1 WHERE "a" = ?`);
  });
});

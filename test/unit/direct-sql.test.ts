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
});

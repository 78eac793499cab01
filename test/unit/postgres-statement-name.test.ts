import { describe, expect, it } from "vitest";
import { postgresStatementName } from "../../src/db/postgres-database.js";

describe("postgresStatementName", () => {
  it("gives one text one name, and two texts two names", () => {
    const a = 'SELECT "id" FROM "User" WHERE "email" = $1';
    expect(postgresStatementName(a)).toBe(postgresStatementName(`${a}`.slice(0)));
    expect(postgresStatementName(a)).toMatch(/^claimgate_[A-Za-z0-9_-]{32}$/);
    expect(postgresStatementName(a)).not.toBe(postgresStatementName(`${a} `));
  });

  it("leaves transaction control unnamed", () => {
    for (const text of ["BEGIN", "COMMIT", "ROLLBACK"]) expect(postgresStatementName(text)).toBe("");
  });
});

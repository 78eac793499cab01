// On PostgreSQL the direct statements (src/db/direct-sql.ts) are prepared once per connection under
// a name derived from their text (postgres-database.ts), so the login and refresh statements are
// parsed and planned once, not on every call.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { directSql, sql } from "../../src/db/direct-sql.js";
import { postgresStatementName } from "../../src/db/postgres-database.js";
import { createPostgresDatabase, describeOnPostgres, dropPostgresDatabase, postgresUrlFor } from "../support/test-database.js";

describeOnPostgres("prepared statements are a PostgreSQL matter")("direct statements on PostgreSQL", () => {
  let db: Database;
  let name: string;
  beforeAll(async () => {
    name = await createPostgresDatabase({ migrated: true });
    db = openDatabase({ databaseUrl: postgresUrlFor(name) });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await dropPostgresDatabase(name);
  });

  it("are prepared under their name once, then reused", async () => {
    const direct = await directSql(db);
    const lookup = sql`SELECT "name", "statement" FROM pg_prepared_statements WHERE "statement" LIKE ${"%pg_prepared_statements%"}`;
    // One statement at a time: the pool hands the same connection back each time.
    for (let i = 0; i < 3; i++) await direct.rows(lookup);
    const rows = await direct.rows(lookup);
    expect(rows).toHaveLength(1);
    expect(rows[0]!["name"]).toBe(postgresStatementName(rows[0]!["statement"] as string));
  });
});

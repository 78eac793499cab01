// Concurrent starts on one empty PostgreSQL database: three server processes start at the same
// moment; the schema engine's advisory lock serialises them, so each migration is applied exactly
// once (by whichever got the lock first), and all three come up ready on the same schema.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { readMigrationList } from "../../src/db/migrations.js";
import { POSTGRES_MIGRATIONS_DIR } from "../../src/project-root.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { createPostgresDatabase, describeOnPostgres, dropPostgresDatabase, postgresUrlFor } from "../support/test-database.js";

describeOnPostgres("SQLite's migrations need the file to themselves; database-locks.test.ts covers them")("concurrent starts on an empty PostgreSQL database", () => {
  const servers: ServerProcess[] = [];
  let database: string | undefined;
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    if (database) await dropPostgresDatabase(database);
  });

  it("three processes apply each migration once and all become ready", async () => {
    database = await createPostgresDatabase({ migrated: false });
    const env = {
      DATABASE_URL: postgresUrlFor(database),
      JWT_SECRET: randomBytes(48).toString("base64url"),
      SEED_DEMO_USERS: "true",
      LOG_LEVEL: "info",
    };
    servers.push(...(await Promise.all([1, 2, 3].map(() => startServerProcess(env)))));
    const expected = (await readMigrationList(POSTGRES_MIGRATIONS_DIR)).migrationDirectories.map((directory) => directory.path);
    const applied = servers.flatMap((server) =>
      server.output.flatMap((line) => {
        const match = /"event":"migrations_applied".*"migrations":(\[[^\]]*\])/.exec(line);
        return match ? (JSON.parse(match[1]!) as string[]) : [];
      }),
    );
    expect(applied.sort()).toEqual(expected.sort());
    for (const server of servers) expect((await fetch(new URL("/readyz", server.url))).status).toBe(200);

    const client = new pg.Client(postgresUrlFor(database));
    await client.connect();
    try {
      const rows = await client.query("SELECT migration_name, finished_at FROM _prisma_migrations");
      expect(rows.rows.map((row) => row.migration_name).sort()).toEqual(expected.sort());
      expect(rows.rows.every((row) => row.finished_at !== null)).toBe(true);
      // Seeding raced too: the demo accounts exist once.
      const users = await client.query(`SELECT count(*)::int AS n FROM "User" WHERE "email" IN ('alice@example.com', 'bob@example.com')`);
      expect(users.rows[0].n).toBe(2);
    } finally {
      await client.end();
    }
  });
});

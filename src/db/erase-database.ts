import { rm } from "node:fs/promises";
import pg from "pg";
import { isPostgresUrl } from "./database-url.js";
import { databaseInUseAt } from "./database-in-use.js";
import { postgresPoolConfig } from "./postgres-database.js";
import { sqliteFilePath } from "./sqlite-url.js";

/**
 * Deletes every table and row (`npm run db:reset`, development only), so the next start migrates
 * and seeds afresh. SQLite: the file and its companions; refuses while a server holds it open.
 * PostgreSQL: the `public` schema, dropped and created again (the database itself stays).
 * Returns what was erased, for the message.
 */
export async function eraseDatabase(databaseUrl: string): Promise<string> {
  if (isPostgresUrl(databaseUrl)) {
    const client = new pg.Client(postgresPoolConfig(databaseUrl));
    await client.connect();
    try {
      await client.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    } finally {
      await client.end();
    }
    const url = new URL(databaseUrl);
    return `the PostgreSQL database ${url.pathname.slice(1)} on ${url.host}`;
  }
  const path = sqliteFilePath(databaseUrl);
  if (databaseInUseAt(databaseUrl) !== null) {
    throw new Error(`${path} is open in a running claimgate server: stop it (Ctrl-C), run \`npm run db:reset\`, then start it again`);
  }
  await Promise.all(["", "-wal", "-shm", "-journal"].map((suffix) => rm(`${path}${suffix}`, { force: true })));
  return path;
}

// Which database the tests run on: SQLite files (the default) or PostgreSQL
// (CLAIMGATE_TEST_DATABASE=postgres, set by `npm test` for its second pass; the cluster comes
// from postgres-global-setup.ts). Tests never build a DATABASE_URL themselves: they ask here.
import { randomUUID } from "node:crypto";
import { describe, it } from "vitest";
import pg from "pg";

export type TestDatabaseKind = "sqlite" | "postgres";
export const TEST_DATABASE: TestDatabaseKind = process.env["CLAIMGATE_TEST_DATABASE"] === "postgres" ? "postgres" : "sqlite";
export const onPostgres = TEST_DATABASE === "postgres";

/** The cluster's maintenance database URL (postgres), for tests that make databases of their own. */
export function postgresAdminUrl(): string {
  const url = process.env["CLAIMGATE_TEST_POSTGRES_URL"];
  if (!url) throw new Error("CLAIMGATE_TEST_DATABASE=postgres, but no cluster was started: run the tests through vitest (globalSetup)");
  return url;
}

/** The URL of another database on the test cluster. */
export function postgresUrlFor(database: string): string {
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgresAdminUrl());
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new database on the test cluster: migrated (cloned from the template) or empty. */
export async function createPostgresDatabase(options: { migrated: boolean }): Promise<string> {
  const name = `t_${randomUUID().replaceAll("-", "")}`;
  const template = options.migrated ? ` TEMPLATE "${process.env["CLAIMGATE_TEST_POSTGRES_TEMPLATE"]}"` : "";
  await admin((client) => client.query(`CREATE DATABASE "${name}"${template}`));
  return name;
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
}

// One database per data folder: servers and CLI runs given the same DATA_DIR share it, as they
// share the SQLite file there.
const databases = new Map<string, string>();
// Processes started together with one DATA_DIR must get one database, not one each.
const creating = new Map<string, Promise<string>>();

/**
 * The environment that points a server with this DATA_DIR at its database: nothing on SQLite
 * (DATA_DIR decides), DATABASE_URL of a database cloned from the migrated template on PostgreSQL.
 */
export async function databaseEnvFor(dataDir: string): Promise<Record<string, string>> {
  if (!onPostgres) return {};
  let name = databases.get(dataDir);
  if (!name) {
    let pending = creating.get(dataDir);
    if (!pending) {
      pending = createPostgresDatabase({ migrated: true }).then((created) => {
        databases.set(dataDir, created);
        return created;
      });
      creating.set(dataDir, pending);
      pending.finally(() => creating.delete(dataDir)).catch(() => {});
    }
    name = await pending;
  }
  return { DATABASE_URL: postgresUrlFor(name) };
}

/** Drops the database databaseEnvFor made for this DATA_DIR (none on SQLite). */
export async function releaseDatabaseFor(dataDir: string): Promise<void> {
  const name = databases.get(dataDir);
  if (!name) return;
  databases.delete(dataDir);
  await dropPostgresDatabase(name);
}

/**
 * `it` on SQLite; on PostgreSQL the test is skipped, its name saying why (a SQLite file, its
 * modes or its locks: things PostgreSQL does not have).
 */
export function itOnSqlite(reason: string): typeof it {
  if (!onPostgres) return it;
  const skipped = (name: string, ...rest: unknown[]) => (it.skip as (...args: unknown[]) => void)(`${name} [skipped on PostgreSQL: ${reason}]`, ...rest);
  return Object.assign(skipped, it) as unknown as typeof it;
}

/** `describe` on SQLite; skipped on PostgreSQL with the reason in its name (see itOnSqlite). */
export function describeOnSqlite(reason: string): typeof describe {
  if (!onPostgres) return describe;
  const skipped = (name: string, ...rest: unknown[]) => (describe.skip as (...args: unknown[]) => void)(`${name} [skipped on PostgreSQL: ${reason}]`, ...rest);
  return Object.assign(skipped, describe) as unknown as typeof describe;
}

/** `describe` on PostgreSQL only; skipped on SQLite with the reason in its name. */
export function describeOnPostgres(reason: string): typeof describe {
  if (onPostgres) return describe;
  const skipped = (name: string, ...rest: unknown[]) => (describe.skip as (...args: unknown[]) => void)(`${name} [skipped on SQLite: ${reason}]`, ...rest);
  return Object.assign(skipped, describe) as unknown as typeof describe;
}

/**
 * Runs SQL on the database of a server's environment (DATABASE_URL, or the database of its
 * DATA_DIR): for tests that look under the API or break something on purpose. Write it portably:
 * identifiers double-quoted, CAST(COUNT(*) AS INTEGER), `?` placeholders.
 */
export async function testQuery<T = Record<string, unknown>>(env: Record<string, string | undefined>, sql: string, params: unknown[] = []): Promise<T[]> {
  const dataDir = env["DATA_DIR"];
  if (onPostgres) {
    const url = env["DATABASE_URL"] || (dataDir && databases.has(dataDir) ? postgresUrlFor(databases.get(dataDir)!) : undefined);
    if (!url) throw new Error("testQuery: this environment names no PostgreSQL database");
    const client = new pg.Client(url);
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const { default: Sqlite } = await import("better-sqlite3");
  const file = env["DATABASE_URL"]?.startsWith("file:") ? env["DATABASE_URL"].slice(5) : `${dataDir}/claimgate.db`;
  const sqlite = new Sqlite(file);
  try {
    const statement = sqlite.prepare(sql);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
  } finally {
    sqlite.close();
  }
}

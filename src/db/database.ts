import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";
import { SerializedSqliteAdapter, type StorageStats } from "./serialized-sqlite-adapter.js";
import { sqliteFilePath } from "./sqlite-url.js";
import { isPostgresUrl } from "./database-url.js";
import { openPostgres, postgresStatementName } from "./postgres-database.js";
import type pg from "pg";

/**
 * The one client type the rest of the code sees. It is the SQLite client's type; on PostgreSQL
 * the client generated from the same models (prisma/postgres/schema.prisma) is cast to it: the
 * two differ only in provider-specific details the code does not use, and calls through a
 * union of both types would not compile.
 */
export type Database = PrismaClient;

/** @default 5000 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** @default 30000 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export interface OpenDatabaseOptions {
  /**
   * `file:` followed by a path (SQLite; the file must exist, migrations create it), or a
   * `postgres://`/`postgresql://` URL (PostgreSQL 15 or newer).
   */
  databaseUrl: string;
  /** How long a statement may wait for a lock another connection holds (DB_BUSY_TIMEOUT; lock_timeout on PostgreSQL). @default 5000 */
  busyTimeoutMs?: number;
  /** PostgreSQL only: how long a statement may run (DB_STATEMENT_TIMEOUT); 0: no limit. @default 30000 */
  statementTimeoutMs?: number;
  /** Told when the connections are reopened (file replaced, fault healed), for the logs. */
  onReopen?: (reason: string) => void;
}

const adapters = new WeakMap<Database, () => SerializedSqliteAdapter | undefined>();
const postgresPools = new WeakMap<Database, pg.Pool>();

/**
 * A Prisma client over SerializedSqliteAdapter (see there): statements of one request never
 * run inside another request's transaction, lock waits never block the event loop, and
 * a deleted, replaced or read-only file is noticed and healed without a restart.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  if (isPostgresUrl(options.databaseUrl)) {
    const { client, pool } = openPostgres({
      databaseUrl: options.databaseUrl,
      lockTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    const db = client as unknown as Database;
    postgresPools.set(db, pool);
    return db;
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let adapter: SerializedSqliteAdapter | undefined;
  const factory: SqlDriverAdapterFactory = {
    provider: "sqlite",
    adapterName: "claimgate-serialized-better-sqlite3",
    async connect() {
      adapter = await SerializedSqliteAdapter.open({
        path: sqliteFilePath(options.databaseUrl),
        busyTimeoutMs,
        ...(options.onReopen ? { onReopen: options.onReopen } : {}),
      });
      return adapter;
    },
  };
  const db = new PrismaClient({
    adapter: factory,
    // The adapter gives up at DB_BUSY_TIMEOUT with a clear SQLITE_BUSY; Prisma's own wait for a
    // transaction to start must be longer, or it would fail first with a vaguer error.
    transactionOptions: { maxWait: busyTimeoutMs + 1000, timeout: Math.max(5000, busyTimeoutMs + 1000) },
  });
  adapters.set(db, () => adapter);
  return db;
}

/** The pool behind a PostgreSQL client from openDatabase; undefined for SQLite. */
export function postgresPoolOf(db: Database): pg.Pool | undefined {
  return postgresPools.get(db);
}

/** Whether the client talks to PostgreSQL; for the parts of src/db that differ. */
export function isPostgres(db: Database): boolean {
  return postgresPools.has(db);
}

/** Counters for /metrics. PostgreSQL has no file, lock retries or reopens: those stay at zero. */
export async function storageStats(db: Database): Promise<StorageStats> {
  const pool = postgresPools.get(db);
  if (pool) return { busyRetries: 0, lockTimeouts: 0, reopens: 0, faults: {}, waiting: pool.waitingCount };
  return (await adapterOf(db)).stats();
}

const postgresAdapters = new WeakMap<Database, Promise<SqlDriverAdapter>>();

/**
 * The driver adapter behind a client from openDatabase, for statements sent without the Prisma
 * client (direct-sql.ts): SQLite's own; on PostgreSQL a second PrismaPg adapter over the same pool
 * (the client keeps its own private), so both bind values and read rows exactly alike. Its
 * statements are prepared once per connection (named after their text, see
 * postgresStatementName): the login and refresh statements are parsed and planned once, not on
 * every call.
 */
export async function driverAdapterOf(db: Database): Promise<SqlDriverAdapter> {
  const pool = postgresPools.get(db);
  if (!pool) return adapterOf(db);
  let adapter = postgresAdapters.get(db);
  if (!adapter) {
    adapter = new PrismaPg(pool, { statementNameGenerator: (query) => postgresStatementName(query.sql) }).connect();
    postgresAdapters.set(db, adapter);
  }
  return adapter;
}

/** The SQLite connection behind a client from openDatabase, once it has connected; for readiness. */
export async function adapterOf(db: Database): Promise<SerializedSqliteAdapter> {
  const current = adapters.get(db);
  if (!current) throw new Error("adapterOf: this client was not made by openDatabase");
  if (!current()) await db.$connect();
  const adapter = current();
  if (!adapter) throw new Error("adapterOf: the database did not connect");
  return adapter;
}

/**
 * Kept for callers of the earlier API: the pragmas (WAL, synchronous=NORMAL, foreign keys) are
 * now set on every connection the adapter opens, including the ones it reopens.
 */
export async function configureSqlite(db: Database): Promise<void> {
  await db.$connect();
}

/** Connects now, so a database that cannot be reached fails the start with its own error. */
export async function connectDatabase(db: Database): Promise<void> {
  await db.$connect();
  // PostgreSQL's pool connects lazily: $connect alone would not notice a wrong URL or password.
  if (isPostgres(db)) await db.$queryRawUnsafe("SELECT 1");
}

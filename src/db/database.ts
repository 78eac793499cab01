import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client.js";
import { SerializedSqliteAdapter } from "./serialized-sqlite-adapter.js";
import { sqliteFilePath } from "./sqlite-url.js";

export type Database = PrismaClient;

/** @default 5000 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** SQLite URL, `file:` followed by a path. The file must exist (migrations create it). */
  databaseUrl: string;
  /** How long a write may wait for the lock another connection holds (DB_BUSY_TIMEOUT). @default 5000 */
  busyTimeoutMs?: number;
  /** Told when the connections are reopened (file replaced, fault healed), for the logs. */
  onReopen?: (reason: string) => void;
}

const adapters = new WeakMap<Database, () => SerializedSqliteAdapter | undefined>();

/**
 * A Prisma client over SerializedSqliteAdapter (see there): statements of one request never
 * run inside another request's transaction, lock waits never block the event loop, and
 * a deleted, replaced or read-only file is noticed and healed without a restart.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
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

/** The connection behind a client from openDatabase, once it has connected; for readiness. */
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

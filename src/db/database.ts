import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client.js";

export type Database = PrismaClient;

export interface OpenDatabaseOptions {
  /** SQLite URL, `file:` followed by a path. */
  databaseUrl: string;
}

/**
 * A Prisma client over better-sqlite3. WAL lets readers proceed while a writer commits,
 * and the busy timeout makes concurrent writers (other requests, other processes on the
 * same file) wait their turn instead of failing with SQLITE_BUSY.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  const adapter = new PrismaBetterSqlite3({ url: options.databaseUrl, timeout: 10_000 });
  return new PrismaClient({ adapter });
}

/**
 * WAL with synchronous=NORMAL: a commit no longer waits for fsync (only checkpoints do), which
 * takes several milliseconds off every login and refresh. The database cannot be corrupted this
 * way; a power cut (not a process crash) can lose the last commits, at worst a refresh, whose
 * client then logs in again.
 */
export async function configureSqlite(db: Database): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
}

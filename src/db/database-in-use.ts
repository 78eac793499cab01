import Sqlite from "better-sqlite3";
import { isPostgresUrl } from "./database-url.js";
import { sqliteFilePath } from "./sqlite-url.js";

/**
 * Whether another process (a running server) has the SQLite file open. Exclusive locking in
 * WAL mode needs every other connection gone, and with no busy timeout it says so at once;
 * applying migrations needs the same, which is why they cannot run beside a server.
 */
export function databaseInUse(file: string): boolean {
  let sqlite: Sqlite.Database;
  try {
    sqlite = new Sqlite(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return false;
  }
  try {
    sqlite.pragma("locking_mode = EXCLUSIVE");
    sqlite.exec("BEGIN EXCLUSIVE; COMMIT;");
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY") return true;
    throw error;
  } finally {
    sqlite.close();
  }
}

/**
 * The SQLite file a running server holds open, by URL; null when free. Always null on PostgreSQL:
 * migrations there run beside live servers, serialised by the schema engine's advisory lock.
 */
export function databaseInUseAt(databaseUrl: string): string | null {
  if (isPostgresUrl(databaseUrl)) return null;
  const path = sqliteFilePath(databaseUrl);
  return databaseInUse(path) ? path : null;
}

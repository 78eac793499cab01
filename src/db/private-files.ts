import { chmod, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { sqliteFilePath } from "./sqlite-url.js";
import { isPostgresUrl } from "./database-url.js";

/**
 * Creates the database's folder (0700) and file (0600) before SQLite does, so they are private
 * whatever the umask: the file holds password hashes and sessions. SQLite gives its -wal and
 * -shm files the database file's permissions. Existing files keep their modes (an operator's choice).
 */
export async function ensurePrivateDatabaseFile(databaseUrl: string): Promise<void> {
  // PostgreSQL keeps its files in its own data directory, under its own user: nothing to do here.
  if (isPostgresUrl(databaseUrl)) return;
  const path = sqliteFilePath(databaseUrl);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(path, "wx", 0o600);
    await handle.close();
    // open() applies the umask; say it again without one.
    await chmod(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

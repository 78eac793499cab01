import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isPostgresUrl } from "./database-url.js";
import { sqliteFilePath } from "./sqlite-url.js";

/**
 * A small file next to the database, written once the database has been created and migrated:
 * its presence without the database means the database was lost (deleted, a volume not mounted),
 * not that this is a first start. Without it, a restart would silently create and seed an empty
 * database: acknowledged registrations gone, every refresh token dead.
 */
export function markerPathOf(databasePath: string): string {
  return `${databasePath}.marker`;
}

export interface LostDatabase {
  readonly databasePath: string;
  readonly markerPath: string;
  /** When the lost database was first created, as the marker recorded it. */
  readonly createdAt: string | null;
}

/** The lost database, when the marker exists and the database file does not; null otherwise. */
export function findLostDatabase(databasePath: string): LostDatabase | null {
  const markerPath = markerPathOf(databasePath);
  if (existsSync(databasePath) || !existsSync(markerPath)) return null;
  let createdAt: string | null = null;
  try {
    const parsed = JSON.parse(readFileSync(markerPath, "utf8")) as { createdAt?: unknown };
    if (typeof parsed.createdAt === "string") createdAt = parsed.createdAt;
  } catch {
    // An unreadable marker still says a database existed.
  }
  return { databasePath, markerPath, createdAt };
}

/** The message an operator reads when startup refuses (or, in development, recreates). */
export function lostDatabaseMessage(lost: LostDatabase): string {
  return (
    `The database ${lost.databasePath} is missing, but one was created there before` +
    `${lost.createdAt ? ` (on ${lost.createdAt})` : ""}, as ${lost.markerPath} records. ` +
    `Restore it from a backup (or mount the volume that holds it). To start over with an empty database on purpose, delete ${lost.markerPath}.`
  );
}

/**
 * Records that a database exists at this path; keeps the first creation time. Returns the error
 * when the folder is not writable (the server still starts; the protection is then missing).
 */
export function writeMarker(databasePath: string, now: Date): Error | null {
  const markerPath = markerPathOf(databasePath);
  if (existsSync(markerPath)) return null;
  try {
    writeFileSync(markerPath, `${JSON.stringify({ createdAt: now.toISOString(), database: databasePath })}\n`);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/**
 * By URL: the lost SQLite database, or null. PostgreSQL needs no marker: claimgate never creates a
 * PostgreSQL database (a missing one fails the start with 3D000), so none is silently replaced.
 */
export function findLostDatabaseOf(databaseUrl: string): LostDatabase | null {
  return isPostgresUrl(databaseUrl) ? null : findLostDatabase(sqliteFilePath(databaseUrl));
}

/** By URL: writes the SQLite marker (see writeMarker); nothing on PostgreSQL (see findLostDatabaseOf). */
export function writeMarkerOf(databaseUrl: string, now: Date): Error | null {
  return isPostgresUrl(databaseUrl) ? null : writeMarker(sqliteFilePath(databaseUrl), now);
}

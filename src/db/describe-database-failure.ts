import { dirname, isAbsolute, relative, resolve } from "node:path";
import { isDatabaseInUse } from "./database-in-use-error.js";
import { isPostgresUrl } from "./database-url.js";
import { sqliteFilePath } from "./sqlite-url.js";

/** The server part of a PostgreSQL URL, without the password, for messages. */
export function postgresLocation(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const socket = url.searchParams.get("host");
    return `${url.pathname.slice(1) || "(no database)"} on ${socket ?? url.host}${url.username ? ` as ${decodeURIComponent(url.username)}` : ""}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * A startup failure caused by the database (the PostgreSQL server, or the SQLite file), in one
 * line naming what to fix; null for anything else. Pure.
 */
export function describeDatabaseStartupFailure(error: unknown, databaseUrl: string): string | null {
  if (!isPostgresUrl(databaseUrl)) return describeSqliteFailure(error, sqliteFilePath(databaseUrl));
  const text = messagesOf(error);
  const where = `PostgreSQL database ${postgresLocation(databaseUrl)}`;
  if (/Can't reach database server|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|SocketTimeout|timeout exceeded when trying to connect|Connection terminated/.test(text)) {
    return `cannot reach the ${where}: start PostgreSQL (15 or newer) there, or set DATABASE_URL to a server that runs.`;
  }
  if (/password authentication failed|28P01|Authentication failed/i.test(text)) {
    return `the ${where} refused the user name or password: fix DATABASE_URL (percent-encode special characters in the password).`;
  }
  if (/database .* does not exist|3D000|DatabaseDoesNotExist/.test(text)) {
    return `the ${where} does not exist: create it (createdb, or CREATE DATABASE) and start again; claimgate creates the tables itself.`;
  }
  if (/permission denied/i.test(text)) {
    return `the ${where} refused a statement (permission denied): the user needs to create tables in the database's public schema.`;
  }
  return null;
}

const SQLITE_PROBLEMS: Record<string, string> = {
  SQLITE_NOTADB: "is not a SQLite database",
  SQLITE_CORRUPT: "is damaged",
  SQLITE_CANTOPEN: "cannot be opened",
  SQLITE_READONLY: "is read-only",
  SQLITE_FULL: "cannot grow: the disk is full",
};

function describeSqliteFailure(error: unknown, path: string): string | null {
  const code = sqliteCodeOf(error);
  if (code === undefined || !(code in SQLITE_PROBLEMS)) return null;
  return `the database ${path} ${SQLITE_PROBLEMS[code]} (${code}): set DATABASE_URL to another file (or DATA_DIR to another folder), or move this one away to start afresh.`;
}

/** SQLite's result code of the error or of its causes (drivers wrap SQLite's errors, some only in the message). */
function sqliteCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
    const named = typeof message === "string" ? /\b(SQLITE_[A-Z]+)\b/.exec(message)?.[1] : undefined;
    if (named) return named;
    current = cause;
  }
  return undefined;
}

/**
 * A start that must apply migrations while another process has the database open (SQLite: applying
 * takes the file for itself), in one line; null for anything else. PostgreSQL serialises concurrent
 * starts itself, so this is SQLite's only.
 */
export function describeMigrationConflict(error: unknown, databaseUrl: string): string | null {
  if (isPostgresUrl(databaseUrl) || !isDatabaseInUse(error)) return null;
  return `the database ${sqliteFilePath(databaseUrl)} has migrations to apply, which need it to themselves, but another process has it open: stop the other claimgate processes using DATABASE_URL, start this one, then start them again.`;
}

/**
 * Whether a file error at `path` is the database's, so that DATABASE_URL is the setting to change:
 * the SQLite file itself or a path in its folder. Never for PostgreSQL, which keeps no files here.
 */
export function isDatabaseFilePath(path: string, databaseUrl: string): boolean {
  if (isPostgresUrl(databaseUrl)) return false;
  const databasePath = sqliteFilePath(databaseUrl);
  const rel = relative(dirname(databasePath), resolve(path));
  return path === databasePath || rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    const record = current as { message?: unknown; code?: unknown; cause?: unknown };
    if (typeof record.message === "string") parts.push(record.message);
    if (typeof record.code === "string") parts.push(record.code);
    current = record.cause;
  }
  return parts.join("\n");
}

import { dirname, relative, isAbsolute, resolve } from "node:path";
import type { Config } from "../config/config.js";
import { isDatabaseInUse } from "../db/database-in-use-error.js";
import { sqliteFilePath } from "../db/sqlite-url.js";
import { describeDatabaseStartupFailure } from "../db/describe-database-failure.js";

const FILE_PROBLEMS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "part of the path is a file, not a folder",
  ENOSPC: "no space left on the device",
  EISDIR: "it is a folder, not a file",
};

const SQLITE_PROBLEMS: Record<string, string> = {
  SQLITE_NOTADB: "is not a SQLite database",
  SQLITE_CORRUPT: "is damaged",
  SQLITE_CANTOPEN: "cannot be opened",
  SQLITE_READONLY: "is read-only",
  SQLITE_FULL: "cannot grow: the disk is full",
};

interface ErrnoLike {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * Startup failures an operator can fix, in one line that names the setting to change; null for
 * anything else (a bug, whose stack trace is worth having). Pure: decides from the error and the
 * configuration only.
 */
export function describeStartupFailure(error: unknown, config: Pick<Config, "host" | "port" | "dataDir" | "databaseUrl">): string | null {
  const code = codeOf(error);
  const failure = (error ?? {}) as ErrnoLike;
  if (failure.syscall === "listen") {
    const where = `${config.host}:${config.port}`;
    if (code === "EADDRINUSE") return `${where} is already in use: set PORT to a free port, or stop the process that holds it.`;
    if (code === "EACCES") return `not permitted to listen on ${where}: set PORT to 1024 or above (lower ports need extra privileges).`;
    if (code === "EADDRNOTAVAIL") return `HOST ${config.host} is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0.`;
  }
  const database = describeDatabaseStartupFailure(error, config.databaseUrl);
  if (database) return database;
  const databasePath = sqliteFilePath(config.databaseUrl);
  if (isDatabaseInUse(error)) {
    return `the database ${databasePath} has migrations to apply, which need it to themselves, but another process has it open: stop the other claimgate processes using DATABASE_URL, start this one, then start them again.`;
  }
  if (typeof code === "string" && code in FILE_PROBLEMS && typeof failure.path === "string") {
    const path = resolve(failure.path);
    const setting = settingFor(path, config.dataDir, databasePath);
    return `cannot ${verbOf(failure.syscall)} ${path} (${FILE_PROBLEMS[code]}): set ${setting} to a folder this user can write, or change that folder's permissions.`;
  }
  if (typeof code === "string" && code in SQLITE_PROBLEMS) {
    return `the database ${databasePath} ${SQLITE_PROBLEMS[code]} (${code}): set DATABASE_URL to another file (or DATA_DIR to another folder), or move this one away to start afresh.`;
  }
  return null;
}

/** The error's code, or that of its causes (the database driver wraps SQLite's errors). */
function codeOf(error: unknown): unknown {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const { code, cause } = current as ErrnoLike;
    if (typeof code === "string" && (code in FILE_PROBLEMS || code in SQLITE_PROBLEMS || code.startsWith("EADDR") || code === "EACCES")) return code;
    const message = (current as ErrnoLike).message;
    const sqlite = typeof message === "string" ? /\b(SQLITE_[A-Z]+)\b/.exec(message)?.[1] : undefined;
    if (sqlite) return sqlite;
    current = cause;
  }
  return undefined;
}

function verbOf(syscall: unknown): string {
  if (syscall === "mkdir") return "create the folder";
  if (syscall === "open" || syscall === "write") return "write";
  return "use";
}

/** DATABASE_URL when the path is the database or its folder outside DATA_DIR; else DATA_DIR. */
function settingFor(path: string, dataDir: string, databasePath: string): string {
  const inside = (folder: string) => {
    const rel = relative(resolve(folder), path);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  };
  if (inside(dataDir)) return "DATA_DIR";
  if (path === databasePath || inside(dirname(databasePath))) return "DATABASE_URL";
  return "DATA_DIR";
}

import { relative, isAbsolute, resolve } from "node:path";
import type { Config } from "../config/config.js";
import { describeDatabaseStartupFailure, describeMigrationConflict, isDatabaseFilePath } from "../db/describe-database-failure.js";

const FILE_PROBLEMS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "part of the path is a file, not a folder",
  ENOSPC: "no space left on the device",
  EISDIR: "it is a folder, not a file",
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
  const migrating = describeMigrationConflict(error, config.databaseUrl);
  if (migrating) return migrating;
  if (typeof code === "string" && code in FILE_PROBLEMS && typeof failure.path === "string") {
    const path = resolve(failure.path);
    const setting = settingFor(path, config);
    return `cannot ${verbOf(failure.syscall)} ${path} (${FILE_PROBLEMS[code]}): set ${setting} to a folder this user can write, or change that folder's permissions.`;
  }
  // What the database layer recognises (its driver's codes, its server's refusals).
  return describeDatabaseStartupFailure(error, config.databaseUrl);
}

/** The error's code, or that of its causes (drivers wrap the system's errors). */
function codeOf(error: unknown): unknown {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const { code, cause } = current as ErrnoLike;
    if (typeof code === "string" && (code in FILE_PROBLEMS || code.startsWith("EADDR") || code === "EACCES")) return code;
    current = cause;
  }
  return undefined;
}

function verbOf(syscall: unknown): string {
  if (syscall === "mkdir") return "create the folder";
  if (syscall === "open" || syscall === "write") return "write";
  return "use";
}

/** DATABASE_URL when the path is the database's (see isDatabaseFilePath) outside DATA_DIR; else DATA_DIR. */
function settingFor(path: string, config: Pick<Config, "dataDir" | "databaseUrl">): string {
  const rel = relative(resolve(config.dataDir), path);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) return "DATA_DIR";
  return isDatabaseFilePath(path, config.databaseUrl) ? "DATABASE_URL" : "DATA_DIR";
}

/**
 * Why the database could not do what was asked, in words an operator and a client can act on.
 * `locked`: another connection (a second process, the CLI, a backup) held the write lock past
 * DB_BUSY_TIMEOUT. `read_only`: the file or its folder cannot be written. `disk_full`: no space.
 * `io`: the operating system refused a read or write. `unavailable`: the file is missing, was
 * replaced, or cannot be opened. `corrupt`: the file is not a sound SQLite database.
 */
export type DatabaseFaultKind = "locked" | "read_only" | "disk_full" | "io" | "unavailable" | "corrupt";

export interface DatabaseFault {
  readonly kind: DatabaseFaultKind;
  /** Stable `extensions.reason` for clients. */
  readonly reason: string;
  /** SQLite's own code, for logs. */
  readonly sqliteCode: string;
  /** Whether the same request may succeed later without anyone fixing anything. */
  readonly transient: boolean;
  /** Seconds a client should wait before retrying (`Retry-After`). */
  readonly retryAfterSeconds: number;
}

const FAULTS: Record<DatabaseFaultKind, Omit<DatabaseFault, "sqliteCode">> = {
  locked: { kind: "locked", reason: "DATABASE_LOCKED", transient: true, retryAfterSeconds: 1 },
  read_only: { kind: "read_only", reason: "DATABASE_READ_ONLY", transient: false, retryAfterSeconds: 30 },
  disk_full: { kind: "disk_full", reason: "DATABASE_DISK_FULL", transient: false, retryAfterSeconds: 30 },
  io: { kind: "io", reason: "DATABASE_IO_ERROR", transient: false, retryAfterSeconds: 10 },
  unavailable: { kind: "unavailable", reason: "DATABASE_UNAVAILABLE", transient: false, retryAfterSeconds: 10 },
  corrupt: { kind: "corrupt", reason: "DATABASE_CORRUPT", transient: false, retryAfterSeconds: 60 },
};

/** SQLite result-code names (better-sqlite3's `error.code`, primary or extended) → fault. */
export function faultOfSqliteCode(code: string): DatabaseFault | null {
  const kind = kindOfSqliteCode(code);
  return kind ? { ...FAULTS[kind], sqliteCode: code } : null;
}

export function databaseFault(kind: DatabaseFaultKind, sqliteCode: string): DatabaseFault {
  return { ...FAULTS[kind], sqliteCode };
}

function kindOfSqliteCode(code: string): DatabaseFaultKind | null {
  // SQLITE_BUSY_SNAPSHOT: another writer committed since this transaction read; retrying the
  // whole request succeeds, so it counts as "locked" (transient) like the other busy codes.
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "locked";
  if (code.startsWith("SQLITE_READONLY")) return "read_only";
  if (code === "SQLITE_FULL") return "disk_full";
  if (code.startsWith("SQLITE_IOERR")) return "io";
  if (code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_NOTFOUND") return "unavailable";
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return "corrupt";
  return null;
}

/** Carries a fault through Prisma: its errors keep the driver error under `meta.driverAdapterError`. */
export class DatabaseFaultError extends Error {
  readonly code: string;
  constructor(
    readonly fault: DatabaseFault,
    message: string,
  ) {
    super(message);
    this.name = "DatabaseFaultError";
    this.code = fault.sqliteCode;
  }
}

/**
 * The fault behind an error thrown anywhere below a resolver: a DatabaseFaultError, a
 * better-sqlite3 SqliteError, or a Prisma error wrapping either (its `meta.driverAdapterError`
 * keeps the driver's `originalCode`). Prisma's own "could not start a transaction in time"
 * (P2028) and "operation timed out" (P1008) count as a lock. Null for anything else.
 */
export function findDatabaseFault(error: unknown): DatabaseFault | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    if (current instanceof DatabaseFaultError) return current.fault;
    const record = current as Record<string, unknown>;
    const code = record["code"];
    if (typeof code === "string") {
      if (code.startsWith("SQLITE_")) {
        const fault = faultOfSqliteCode(code);
        if (fault) return fault;
      }
      if (code === "P2028" || code === "P1008") return databaseFault("locked", code);
    }
    const originalCode = record["originalCode"];
    if (typeof originalCode === "string") {
      const fault = faultOfSqliteCode(originalCode);
      if (fault) return fault;
    }
    const meta = record["meta"] as Record<string, unknown> | undefined;
    const adapterError = meta?.["driverAdapterError"];
    current = adapterError ?? record["cause"] ?? record["originalError"];
  }
  return null;
}

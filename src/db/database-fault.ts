/**
 * Why the database could not do what was asked, in words an operator and a client can act on.
 * `locked`: another connection (a second process, the CLI, a backup) held the write lock past
 * DB_BUSY_TIMEOUT. `read_only`: the file or its folder cannot be written. `disk_full`: no space.
 * `io`: the operating system refused a read or write. `unavailable`: the file is missing, was
 * replaced, or cannot be opened; on PostgreSQL, the server cannot be reached (refused, timed out,
 * shutting down, too many connections), or a statement ran past DB_STATEMENT_TIMEOUT or got no
 * answer. A lock held past DB_BUSY_TIMEOUT (lock_timeout, 55P03) is `locked` there too. `corrupt`: the file is not a sound SQLite database.
 */
export type DatabaseFaultKind = "locked" | "read_only" | "disk_full" | "io" | "unavailable" | "corrupt";

export interface DatabaseFault {
  readonly kind: DatabaseFaultKind;
  /** Stable `extensions.reason` for clients. */
  readonly reason: string;
  /** The driver's own code, for logs: SQLite's result code, PostgreSQL's SQLSTATE or the socket error. */
  readonly databaseCode: string;
  /** Whether the same request may succeed later without anyone fixing anything. */
  readonly transient: boolean;
  /** Seconds a client should wait before retrying (`Retry-After`). */
  readonly retryAfterSeconds: number;
}

const FAULTS: Record<DatabaseFaultKind, Omit<DatabaseFault, "databaseCode">> = {
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
  return kind ? { ...FAULTS[kind], databaseCode: code } : null;
}

export function databaseFault(kind: DatabaseFaultKind, databaseCode: string): DatabaseFault {
  return { ...FAULTS[kind], databaseCode };
}

/**
 * PostgreSQL SQLSTATEs (pg's `error.code`, the adapter's `originalCode`) → fault. Serialization
 * failures and deadlocks count as a lock: the request succeeds when retried.
 */
export function faultOfPostgresCode(code: string): DatabaseFault | null {
  const kind = kindOfPostgresCode(code);
  return kind ? { ...FAULTS[kind], databaseCode: code } : null;
}

function kindOfPostgresCode(code: string): DatabaseFaultKind | null {
  if (!/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code === "40001" || code === "40P01" || code === "55P03") return "locked";
  if (code === "25006") return "read_only";
  if (code === "53100") return "disk_full";
  // 08: connection exceptions; 53: out of resources (too many connections); 57P01-57P03: shutting
  // down, crashed, starting up; 3D000: the database does not exist (dropped or not yet created).
  // 57014: cancelled, here by statement_timeout (DB_STATEMENT_TIMEOUT): the server is too slow to answer.
  if (code.startsWith("08") || code.startsWith("53") || /^57P0[123]$/.test(code) || code === "57014" || code === "3D000") return "unavailable";
  if (code.startsWith("58")) return "io";
  if (code === "XX001" || code === "XX002") return "corrupt";
  return null;
}

/** What @prisma/adapter-pg calls a connection it could not make or lost (DriverAdapterError kinds). */
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "DatabaseDoesNotExist"]);
/**
 * Node's socket errors, and the pg pool's own words for a server that does not answer in time
 * ("Query read timeout": no answer within query_timeout, a network partition).
 */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EPIPE"]);
const UNREACHABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Can't reach database server|Query read timeout/;

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
    this.code = fault.databaseCode;
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
      // Prisma's "can't reach", "timed out" and "server closed the connection".
      if (code === "P1001" || code === "P1002" || code === "P1017") return databaseFault("unavailable", code);
      if (SOCKET_CODES.has(code)) return databaseFault("unavailable", code);
      const fault = faultOfPostgresCode(code);
      if (fault) return fault;
    }
    const originalCode = record["originalCode"];
    if (typeof originalCode === "string") {
      const fault = faultOfSqliteCode(originalCode) ?? faultOfPostgresCode(originalCode);
      if (fault) return fault;
    }
    const kind = record["kind"];
    if (typeof kind === "string" && UNREACHABLE_KINDS.has(kind)) return databaseFault("unavailable", kind);
    if (kind === "TransactionWriteConflict") return databaseFault("locked", kind);
    const message = record["message"];
    if (typeof message === "string" && UNREACHABLE_MESSAGE.test(message)) return databaseFault("unavailable", "CONNECTION_LOST");
    const meta = record["meta"] as Record<string, unknown> | undefined;
    const adapterError = meta?.["driverAdapterError"];
    current = adapterError ?? record["cause"] ?? record["originalError"];
  }
  return null;
}

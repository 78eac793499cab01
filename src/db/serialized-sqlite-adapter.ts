import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import {
  DriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";
import type Sqlite from "better-sqlite3";
import { DeadlineLock } from "./deadline-lock.js";
import { findDatabaseFault, type DatabaseFaultKind } from "./database-fault.js";
import type { DirectDriver, DirectStatements, SqlRow, SqlValue } from "./direct-driver.js";
import { cacheStatements, cachedStatement } from "./statement-cache.js";

export interface SerializedSqliteOptions {
  /** The database file (must exist: migrations create it). */
  path: string;
  /** How long one statement or transaction may wait for the write lock, in milliseconds (DB_BUSY_TIMEOUT). */
  busyTimeoutMs: number;
  /** Told about every reopen, for the logs. */
  onReopen?: (reason: string) => void;
}

/** Counters for /metrics: what an operator paged at night looks at first. */
export interface StorageStats {
  /** Attempts that met SQLITE_BUSY and were retried after a pause. */
  busyRetries: number;
  /** Statements and transactions that gave up at DB_BUSY_TIMEOUT. */
  lockTimeouts: number;
  /** Times the connections were reopened (file replaced, fault healed). */
  reopens: number;
  /** Database faults by kind (locked, read_only, disk_full, io, unavailable, corrupt). */
  faults: Partial<Record<DatabaseFaultKind, number>>;
  /** Writes and transactions waiting for the writer connection right now. */
  waiting: number;
}

/** The file's identity: a different inode at the same path means the file was replaced. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

interface Connection {
  readonly adapter: SqlDriverAdapter;
  readonly client: Sqlite.Database;
  readonly identity: FileIdentity;
}

const NO_ARGS = { args: [], argTypes: [] };
/** Backoff between attempts at a busy lock: short at first (most locks are brief), then 50 ms. */
const BACKOFF_MS = [1, 2, 5, 10, 20, 50] as const;
/** Kinds a fresh connection can cure (mode fixed, file restored, transient I/O). */
const REOPEN_CURES: ReadonlySet<DatabaseFaultKind> = new Set(["read_only", "io", "unavailable"]);
const MIN_REOPEN_INTERVAL_MS = 1000;

const clientOf = (adapter: SqlDriverAdapter): Sqlite.Database => (adapter as unknown as { client: Sqlite.Database }).client;

function sqliteError(code: string, message: string): DriverAdapterError {
  return new DriverAdapterError({ kind: "sqlite", extendedCode: 1, message, originalCode: code, originalMessage: message });
}

function isRetryableBusy(error: unknown): boolean {
  const cause = (error as { cause?: { originalCode?: unknown } } | null)?.cause;
  // Prisma's adapter wraps SQLite's errors (cause.originalCode); direct statements meet them bare (code).
  const own = (error as { code?: unknown } | null)?.code;
  const code = typeof cause?.originalCode === "string" ? cause.originalCode : typeof own === "string" ? own : "";
  // A stale snapshot (BUSY_SNAPSHOT) cannot succeed by waiting inside the same transaction.
  return code.startsWith("SQLITE_BUSY") && code !== "SQLITE_BUSY_SNAPSHOT";
}

/** The file's identity; null when it does not exist; undefined when it cannot be told (e.g. EACCES). */
function identityOf(path: string): FileIdentity | null | undefined {
  try {
    const stat = statSync(path);
    return { dev: stat.dev, ino: stat.ino };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
}

/**
 * The state of the file under the open connections, checked with one stat: `deleted` and
 * `replaced` mean writes would go to a file nobody will ever read again.
 */
export type FileState = "same" | "deleted" | "replaced";

/**
 * Prisma's better-sqlite3 adapter, made safe to share inside one process and between processes:
 *
 * - **No statement runs inside another request's transaction.** Every write and every transaction
 *   goes through one writer connection under a lock; a transaction holds it from `BEGIN IMMEDIATE`
 *   until COMMIT or ROLLBACK, so a rollback can only undo its own statements. (The stock adapter
 *   serialises transactions only: other requests' statements ran inside them and were rolled back
 *   with them.) Read-only statements outside transactions use a second connection and never wait
 *   for writers (WAL).
 * - **Lock waits never block the event loop.** Both connections have busy_timeout 0: when another
 *   connection (a second process, the CLI, a backup) holds the write lock, SQLite answers
 *   SQLITE_BUSY at once and the attempt is repeated after a timer, with backoff, until
 *   `busyTimeoutMs`; then the statement fails with SQLITE_BUSY, which the API reports as
 *   SERVICE_UNAVAILABLE / DATABASE_LOCKED (503, Retry-After). A write queued behind others fails
 *   after its own `busyTimeoutMs`, not after the sum of everyone's.
 * - **Writes never go to a deleted or replaced file.** Each write first checks the file's identity
 *   (one stat); a replaced file is reopened, a deleted one fails the write as DATABASE_UNAVAILABLE.
 * - **Faults heal without a restart.** After a read-only or I/O fault, the next write (or
 *   readiness probe) reopens both connections, at most once a second.
 */
export class SerializedSqliteAdapter implements SqlDriverAdapter, DirectDriver {
  readonly provider = "sqlite" as const;
  readonly adapterName = "claimgate-serialized-better-sqlite3";
  readonly #options: SerializedSqliteOptions;
  readonly #lock = new DeadlineLock();
  readonly #readOnlyStatements = new Map<string, boolean>();
  #writer: Connection;
  #reader: Connection;
  /** Connections of a deleted or replaced file: closing them could checkpoint into, or delete, the new file's WAL. */
  readonly #retired: Connection[] = [];
  #reopenWanted = false;
  #lastReopen = 0;
  /** The connections were closed for a reopen that then failed: nothing may touch them. */
  #broken = false;
  readonly #stats = { busyRetries: 0, lockTimeouts: 0, reopens: 0, faults: {} as Partial<Record<DatabaseFaultKind, number>> };

  private constructor(options: SerializedSqliteOptions, writer: Connection, reader: Connection) {
    this.#options = options;
    this.#writer = writer;
    this.#reader = reader;
  }

  static async open(options: SerializedSqliteOptions): Promise<SerializedSqliteAdapter> {
    const writer = await openConnection(options.path, "writer");
    const reader = await openConnection(options.path, "reader").catch(async (error: unknown) => {
      await writer.adapter.dispose();
      throw error;
    });
    return new SerializedSqliteAdapter(options, writer, reader);
  }

  get path(): string {
    return this.#options.path;
  }

  stats(): StorageStats {
    return { ...this.#stats, faults: { ...this.#stats.faults }, waiting: this.#lock.waiting };
  }

  /** Whether the file the connections write to is still the one at the configured path. */
  fileState(): FileState {
    const current = identityOf(this.#options.path);
    if (current === null) return "deleted";
    // Cannot tell (a folder without search permission): let SQLite report what it meets.
    if (current === undefined) return "same";
    const { identity } = this.#writer;
    return current.dev === identity.dev && current.ino === identity.ino ? "same" : "replaced";
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    if (this.#isReadOnly(query.sql)) return this.#read(() => this.#readConnection().adapter.queryRaw(query));
    return this.#exclusively((deadline) => this.#retryBusy(() => this.#writer.adapter.queryRaw(query), deadline));
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    if (this.#isReadOnly(query.sql)) return this.#read(() => this.#readConnection().adapter.executeRaw(query));
    return this.#exclusively((deadline) => this.#retryBusy(() => this.#writer.adapter.executeRaw(query), deadline));
  }

  async executeScript(script: string): Promise<void> {
    return this.#exclusively((deadline) => this.#retryBusy(() => this.#writer.adapter.executeScript(script), deadline));
  }

  /** A direct statement (see direct-sql.ts): reads at once (see #readNow), writes under the lock. */
  rows(sql: string, args: readonly SqlValue[]): Promise<SqlRow[]> {
    if (this.#isReadOnly(sql)) return this.#readNow(() => runRows(this.#readConnection().client, sql, args));
    return this.#exclusively((deadline) => this.#retryBusy(async () => runRows(this.#writer.client, sql, args), deadline));
  }

  execute(sql: string, args: readonly SqlValue[]): Promise<number> {
    if (this.#isReadOnly(sql)) return this.#readNow(() => runExecute(this.#readConnection().client, sql, args));
    return this.#exclusively((deadline) => this.#retryBusy(async () => runExecute(this.#writer.client, sql, args), deadline));
  }

  /**
   * A direct read, run at once: better-sqlite3 is synchronous, so the common case needs none of
   * #read's promise layers (a refresh makes two such reads). A busy file, or connections a failed
   * reopen left closed, take #read's retrying path; any other failure is noted as #read notes it.
   */
  #readNow<T>(attempt: () => T): Promise<T> {
    if (this.#broken) return this.#read(async () => attempt());
    try {
      return Promise.resolve(attempt());
    } catch (error) {
      if (isRetryableBusy(error)) return this.#read(async () => attempt());
      this.#noteFault(error);
      return Promise.reject(error);
    }
  }

  /**
   * A transaction of direct statements on the writer, under the lock from BEGIN IMMEDIATE to
   * COMMIT, like startTransaction's, with the same guards: nothing runs after it ended or after
   * SQLite rolled it back by itself, and the connection is handed back with no transaction open.
   */
  async directTransaction<T>(work: (tx: DirectStatements) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    const release = await this.#lock.acquire(deadline, () => this.#lockTimeout());
    try {
      await this.#prepareWrite();
      const { client } = this.#writer;
      try {
        cachedStatement(client, "BEGIN IMMEDIATE").run();
      } catch (error) {
        // Another process holds the write lock: wait for it, as every write does.
        if (!isRetryableBusy(error)) throw error;
        await this.#retryBusy(async () => cachedStatement(client, "BEGIN IMMEDIATE").run(), deadline);
      }
      let open = true;
      const inside = () => {
        if (!open) throw sqliteError("SQLITE_MISUSE", "the transaction has already ended");
        if (!client.inTransaction) throw sqliteError("SQLITE_ABORT", "the transaction was rolled back by the database after an earlier error");
      };
      try {
        const result = await work({
          rows: async (sql, args) => (inside(), runRows(client, sql, args)),
          execute: async (sql, args) => (inside(), runExecute(client, sql, args)),
        });
        inside();
        cachedStatement(client, "COMMIT").run();
        return result;
      } finally {
        open = false;
        try {
          if (client.inTransaction) client.exec("ROLLBACK");
        } catch {
          // The connection is unusable; the next write's checks reopen it if the file allows.
        }
      }
    } catch (error) {
      this.#noteFault(error);
      throw error;
    } finally {
      release();
    }
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
      throw new DriverAdapterError({ kind: "InvalidIsolationLevel", level: isolationLevel });
    }
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    const release = await this.#lock.acquire(deadline, () => this.#lockTimeout());
    try {
      await this.#prepareWrite();
      // IMMEDIATE takes the write lock now, so no statement inside can meet SQLITE_BUSY later
      // (a deferred transaction that read first could only fail at its first write).
      await this.#retryBusy(() => this.#writer.adapter.executeRaw({ sql: "BEGIN IMMEDIATE", ...NO_ARGS }), deadline);
    } catch (error) {
      this.#noteFault(error);
      release();
      throw error;
    }
    return new ExclusiveTransaction(this.#writer, release, this.#options.busyTimeoutMs, (error) => this.#noteFault(error), this.#retryBusy.bind(this));
  }

  /**
   * Runs one write statement (`sql`, no parameters) under the write lock with its own short
   * deadline, reopening the connections first when an earlier fault or a replaced file asks for
   * it: the readiness probe.
   */
  async probeWrite(sql: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const release = await this.#lock.acquire(deadline, () => this.#lockTimeout());
    try {
      await this.#prepareWrite();
      await this.#retryBusy(() => this.#writer.adapter.executeRaw({ sql, ...NO_ARGS }), deadline);
    } catch (error) {
      this.#noteFault(error);
      throw error;
    } finally {
      release();
    }
  }

  /** Asks for fresh connections at the next write, without the usual pause between reopens. */
  requestReopen(): void {
    this.#reopenWanted = true;
    this.#lastReopen = 0;
  }

  async dispose(): Promise<void> {
    const release = await this.#lock.acquire(Date.now() + this.#options.busyTimeoutMs, () => this.#lockTimeout()).catch(() => () => {});
    try {
      // Current connections first: closing checkpoints their WAL into the file. A retired connection
      // (of a replaced file) then deletes the WAL by path, which by then holds nothing of the new file's.
      for (const connection of [this.#writer, this.#reader, ...this.#retired]) await connection.adapter.dispose().catch(() => {});
    } finally {
      release();
    }
  }

  getConnectionInfo() {
    return { supportsRelationJoins: false };
  }

  /**
   * Where a read runs. SQLite empties a connection's page cache whenever another connection has
   * changed the file, so the reader re-reads its pages after every write; the writer's cache holds
   * what it just wrote. While the writer is idle (no lock, no open transaction) a read runs there,
   * at once, as better-sqlite3 runs everything on this thread; during a transaction, on the reader,
   * which never sees uncommitted rows.
   */
  #readConnection(): Connection {
    return this.#lock.held || this.#writer.client.inTransaction ? this.#reader : this.#writer;
  }

  async #read<T>(attempt: () => Promise<T>): Promise<T> {
    // Closed connections after a failed reopen: try again under the lock (or fail as unavailable).
    if (this.#broken) await this.#exclusively(async () => undefined);
    try {
      return await this.#retryBusy(attempt, Date.now() + this.#options.busyTimeoutMs);
    } catch (error) {
      this.#noteFault(error);
      throw error;
    }
  }

  async #exclusively<T>(work: (deadline: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    const release = await this.#lock.acquire(deadline, () => this.#lockTimeout());
    try {
      await this.#prepareWrite();
      return await work(deadline);
    } catch (error) {
      this.#noteFault(error);
      throw error;
    } finally {
      release();
    }
  }

  /** Before every write, under the lock: refuse a deleted file, follow a replaced one, heal after faults. */
  async #prepareWrite(): Promise<void> {
    const state = this.fileState();
    if (state === "deleted") {
      throw sqliteError("SQLITE_CANTOPEN", `the database file ${this.#options.path} was deleted under the running server; restore it (the server reopens it by itself)`);
    }
    if (state === "replaced") {
      await this.#reopen("the database file was replaced");
    } else if (this.#broken || (this.#reopenWanted && Date.now() - this.#lastReopen >= MIN_REOPEN_INTERVAL_MS)) {
      await this.#reopen("an earlier fault (read-only, I/O) may have been fixed");
    }
  }

  /** Opens fresh connections; the caller holds the lock, so no transaction is open. */
  async #reopen(reason: string): Promise<void> {
    this.#lastReopen = Date.now();
    const old = [this.#writer, this.#reader];
    if (this.#broken) {
      // Already closed by the reopen that failed.
    } else if (this.fileState() === "same") {
      // SQLite shares per-file state (locks, the WAL index, a read-only fallback) among all
      // connections of a process to one inode: only closing every one of them gives a fresh start.
      for (const connection of old) await connection.adapter.dispose().catch(() => {});
      this.#broken = true;
    } else {
      this.#retired.push(...old);
    }
    try {
      const writer = await openConnection(this.#options.path, "writer");
      const reader = await openConnection(this.#options.path, "reader").catch(async (error: unknown) => {
        await writer.adapter.dispose();
        throw error;
      });
      this.#writer = writer;
      this.#reader = reader;
    } catch (error) {
      // Every statement now tries to reopen first, and fails as unavailable until one succeeds.
      this.#reopenWanted = true;
      throw error;
    }
    this.#broken = false;
    this.#reopenWanted = false;
    this.#readOnlyStatements.clear();
    this.#stats.reopens++;
    this.#options.onReopen?.(reason);
  }

  #noteFault(error: unknown): void {
    const fault = findDatabaseFault(error);
    if (!fault) return;
    // Lock timeouts are counted where they are raised, once each.
    if (fault.kind !== "locked") this.#stats.faults[fault.kind] = (this.#stats.faults[fault.kind] ?? 0) + 1;
    if (REOPEN_CURES.has(fault.kind)) this.#reopenWanted = true;
  }

  /** Whether a statement only reads, asked of SQLite itself and remembered per text. */
  #isReadOnly(sql: string): boolean {
    let readOnly = this.#readOnlyStatements.get(sql);
    if (readOnly === undefined) {
      try {
        readOnly = this.#reader.client.prepare(sql).readonly;
      } catch {
        // Let the writer report the problem (syntax, missing table) through Prisma's own mapping.
        return false;
      }
      if (this.#readOnlyStatements.size >= 2000) this.#readOnlyStatements.clear();
      this.#readOnlyStatements.set(sql, readOnly);
    }
    return readOnly;
  }

  /** Repeats `attempt` while SQLite answers SQLITE_BUSY, sleeping between attempts, until `deadline`. */
  async #retryBusy<T>(attempt: () => Promise<T>, deadline: number): Promise<T> {
    for (let round = 0; ; round++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetryableBusy(error)) throw error;
        const left = deadline - Date.now();
        if (left <= 0) throw this.#lockTimeout();
        this.#stats.busyRetries++;
        await sleep(Math.min(left, BACKOFF_MS[Math.min(round, BACKOFF_MS.length - 1)]!));
      }
    }
  }

  #lockTimeout(): DriverAdapterError {
    this.#stats.lockTimeouts++;
    this.#stats.faults.locked = (this.#stats.faults.locked ?? 0) + 1;
    return sqliteError(
      "SQLITE_BUSY",
      `database is locked: the write lock was not available within DB_BUSY_TIMEOUT (${this.#options.busyTimeoutMs} ms)`,
    );
  }
}

/** A transaction that owns the writer connection until it commits or rolls back. */
class ExclusiveTransaction implements Transaction {
  readonly provider = "sqlite" as const;
  readonly adapterName = "claimgate-serialized-better-sqlite3";
  readonly options = { usePhantomQuery: false };
  #release: (() => void) | null;

  constructor(
    readonly connection: Connection,
    release: () => void,
    readonly busyTimeoutMs: number,
    readonly onFault: (error: unknown) => void,
    readonly retryBusy: <T>(attempt: () => Promise<T>, deadline: number) => Promise<T>,
  ) {
    this.#release = release;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.#run(query, () => this.connection.adapter.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.#run(query, () => this.connection.adapter.executeRaw(query));
  }

  async #run<T>(query: SqlQuery, attempt: () => Promise<T>): Promise<T> {
    if (this.#release === null) throw sqliteError("SQLITE_MISUSE", "the transaction has already ended");
    // SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, I/O): later
    // statements must not run in autocommit mode as if they were still part of it.
    if (!this.connection.client.inTransaction) {
      if (/^\s*ROLLBACK\b/i.test(query.sql)) return 0 as T;
      throw sqliteError("SQLITE_ABORT", "the transaction was rolled back by the database after an earlier error");
    }
    try {
      return await this.retryBusy(attempt, Date.now() + this.busyTimeoutMs);
    } catch (error) {
      this.onFault(error);
      throw error;
    }
  }

  async commit(): Promise<void> {
    this.#end();
  }

  async rollback(): Promise<void> {
    this.#end();
  }

  async createSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `SAVEPOINT ${name}`, ...NO_ARGS });
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `ROLLBACK TO ${name}`, ...NO_ARGS });
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.executeRaw({ sql: `RELEASE SAVEPOINT ${name}`, ...NO_ARGS });
  }

  /** Hands the connection back clean: whatever happened, no transaction stays open on it. */
  #end(): void {
    const release = this.#release;
    if (release === null) return;
    this.#release = null;
    try {
      if (this.connection.client.inTransaction) this.connection.client.exec("ROLLBACK");
    } catch {
      // The connection is unusable; the next write's checks reopen it if the file allows.
    } finally {
      release();
    }
  }
}

/** Prisma's own binding of a value on SQLite: a DateTime is ISO text with `+00:00`. */
const bindValue = (value: SqlValue): string | number | null => (value instanceof Date ? value.toISOString().replace("Z", "+00:00") : value);

function runRows(client: Sqlite.Database, sql: string, args: readonly SqlValue[]): SqlRow[] {
  const statement = cachedStatement(client, sql);
  const bound = args.map(bindValue);
  if (!statement.reader) {
    statement.run(...bound);
    return [];
  }
  const rows = statement.raw(false).all(...bound) as Record<string, unknown>[];
  // Prisma's adapter reads integers as BigInt; direct rows carry numbers, as Prisma's own rows do.
  for (const row of rows) {
    for (const column in row) {
      const value = row[column];
      if (typeof value === "bigint") row[column] = Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    }
  }
  return rows;
}

function runExecute(client: Sqlite.Database, sql: string, args: readonly SqlValue[]): number {
  const statement = cachedStatement(client, sql);
  const bound = args.map(bindValue);
  if (statement.reader) return statement.raw(false).all(...bound).length;
  return statement.run(...bound).changes;
}

async function openConnection(path: string, role: "writer" | "reader"): Promise<Connection> {
  const identity = identityOf(path);
  if (!identity) throw sqliteError("SQLITE_CANTOPEN", `the database file ${path} does not exist or cannot be examined`);
  let adapter: SqlDriverAdapter;
  try {
    // busy_timeout 0: SQLite never sleeps on the event loop waiting for a lock.
    adapter = await new PrismaBetterSqlite3({ url: `file:${path}`, timeout: 0, fileMustExist: true }).connect();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw sqliteError(typeof code === "string" ? code : "SQLITE_CANTOPEN", (error as Error).message);
  }
  const client = clientOf(adapter);
  cacheStatements(client);
  try {
    if (role === "writer" && String(client.pragma("journal_mode", { simple: true })).toLowerCase() !== "wal") {
      // WAL lets readers proceed while a writer commits. Persistent: set once per file.
      client.pragma("journal_mode = WAL");
    }
    // synchronous=NORMAL: a commit does not wait for fsync (only checkpoints do). The database
    // cannot be corrupted this way; a power cut (not a crash) can lose the last commits.
    client.pragma("synchronous = NORMAL");
    client.pragma("foreign_keys = ON");
    if (role === "reader") client.pragma("query_only = ON");
  } catch (error) {
    // journal_mode needs the lock when it changes; a busy file stays in its mode until the next open.
    if (!String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) {
      await adapter.dispose();
      throw error;
    }
  }
  return { adapter, client, identity };
}

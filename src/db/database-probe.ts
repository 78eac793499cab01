import { statfs } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { findDatabaseFault, type DatabaseFaultKind } from "./database-fault.js";
import { adapterOf, postgresPoolOf, type Database } from "./database.js";
import { sqliteTimestamp } from "./refresh-token-rotation.js";

/** Whether the database takes a write now, and if not, why, in words for an operator. */
export type ProbeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly fault: DatabaseFaultKind | "deleted" };

/** Below this much free space the disk counts as full: SQLite needs room for the WAL and new pages. */
const MIN_FREE_BYTES = 256 * 1024;
/** How long the write probe may wait for the lock: readiness must answer quickly. */
const PROBE_TIMEOUT_MS = 1000;
/** PostgreSQL: connecting alone may take POSTGRES_CONNECT_TIMEOUT_MS; the probe waits a little longer. */
const POSTGRES_PROBE_TIMEOUT_MS = 4000;
/** One row per process, so probes from several processes never contend on one row. */
const PROBE_ID = `${hostname()}:${process.pid}`.replace(/[^A-Za-z0-9._:-]/g, "_");

const FAULT_REASONS: Record<DatabaseFaultKind, string> = {
  locked: "the database is locked by another connection: the write probe could not get the write lock within 1 s",
  read_only: "the database is read-only: its file, its folder or the mount is not writable",
  disk_full: "the disk holding the database is full",
  io: "the database file cannot be read or written (I/O error)",
  unavailable: "the database file cannot be opened",
  corrupt: "the database file is damaged",
};

/**
 * A tiny write to HealthProbe. SQLite: first checks that the file under the open connections is
 * still the one at the configured path (a deleted file turns this red; a replaced one is
 * reopened) and that the disk has room; a failed probe asks the adapter for fresh connections
 * and tries once more, so a fixed fault heals without a restart. PostgreSQL: the pool opens a
 * fresh connection for the probe when the old ones died, so a server back up turns this green.
 */
export async function probeDatabaseWrite(db: Database): Promise<ProbeResult> {
  const pool = postgresPoolOf(db);
  return pool ? probePostgres(pool) : probeSqlite(db);
}

async function probePostgres(pool: NonNullable<ReturnType<typeof postgresPoolOf>>): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query(
        `INSERT INTO "HealthProbe" ("id", "checkedAt") VALUES ($1, $2)
         ON CONFLICT ("id") DO UPDATE SET "checkedAt" = EXCLUDED."checkedAt"`,
        [PROBE_ID, new Date()],
      ),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the write probe took longer than ${POSTGRES_PROBE_TIMEOUT_MS} ms`)), POSTGRES_PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    const fault = findDatabaseFault(error) ?? { kind: "unavailable" as const };
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `PostgreSQL did not take the probe write (${fault.kind}): ${detail}`, fault: fault.kind };
  } finally {
    clearTimeout(timer);
  }
}

async function probeSqlite(db: Database): Promise<ProbeResult> {
  let adapter;
  try {
    adapter = await adapterOf(db);
  } catch {
    return { ok: false, reason: "the database is not reachable", fault: "unavailable" };
  }
  if (adapter.fileState() === "deleted") {
    return {
      ok: false,
      reason: `the database file ${adapter.path} was deleted under the running server; writes are refused until it is restored`,
      fault: "deleted",
    };
  }
  const free = await freeBytes(dirname(adapter.path));
  if (free !== null && free < MIN_FREE_BYTES) {
    return { ok: false, reason: `${FAULT_REASONS.disk_full} (${free} bytes free in ${dirname(adapter.path)})`, fault: "disk_full" };
  }

  const probe = `INSERT INTO HealthProbe (id, checkedAt) VALUES ('${PROBE_ID}', '${sqliteTimestamp(new Date())}')
    ON CONFLICT(id) DO UPDATE SET checkedAt = excluded.checkedAt`;
  let failure: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await adapter.probeWrite(probe, PROBE_TIMEOUT_MS);
      failure = null;
      break;
    } catch (error) {
      failure = error;
      const fault = findDatabaseFault(error);
      if (!fault || fault.kind === "locked" || fault.kind === "disk_full") break;
      adapter.requestReopen();
    }
  }
  if (failure === null) return { ok: true };
  const fault = findDatabaseFault(failure);
  if (adapter.fileState() === "deleted") {
    return { ok: false, reason: `the database file ${adapter.path} was deleted under the running server`, fault: "deleted" };
  }
  return fault
    ? { ok: false, reason: FAULT_REASONS[fault.kind], fault: fault.kind }
    : { ok: false, reason: "the database did not take the probe write", fault: "unavailable" };
}

async function freeBytes(folder: string): Promise<number | null> {
  try {
    const stats = await statfs(folder);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

import { statfs } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { findDatabaseFault, type DatabaseFaultKind } from "../db/database-fault.js";
import { adapterOf, type Database } from "../db/database.js";
import { sqliteTimestamp } from "../db/refresh-token-rotation.js";

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
  /** What is wrong, for dashboards and alerts: a database fault kind, `deleted`, or `migrations`. */
  readonly fault?: DatabaseFaultKind | "deleted" | "migrations";
}

/** Below this much free space the disk counts as full: SQLite needs room for the WAL and new pages. */
const MIN_FREE_BYTES = 256 * 1024;
/** How long the write probe may wait for the lock: readiness must answer quickly. */
const PROBE_TIMEOUT_MS = 1000;
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
 * Ready when the database takes a write and has applied every migration this build ships.
 * Checks, in order: the file under the open connections is still the one at the configured
 * path (a deleted file turns this red; a replaced one is reopened), the disk has room, a tiny
 * write to HealthProbe commits, and the migrations are all applied. A failed probe asks the
 * adapter for fresh connections and tries once more, so a fixed fault (a read-only mount made
 * writable again, a restored file) turns this green without a restart.
 */
export async function checkReadiness(db: Database, expectedMigrations: readonly string[]): Promise<Readiness> {
  let adapter;
  try {
    adapter = await adapterOf(db);
  } catch {
    return { ready: false, reason: "the database is not reachable", fault: "unavailable" };
  }
  if (adapter.fileState() === "deleted") {
    return {
      ready: false,
      reason: `the database file ${adapter.path} was deleted under the running server; writes are refused until it is restored`,
      fault: "deleted",
    };
  }
  const free = await freeBytes(dirname(adapter.path));
  if (free !== null && free < MIN_FREE_BYTES) {
    return { ready: false, reason: `${FAULT_REASONS.disk_full} (${free} bytes free in ${dirname(adapter.path)})`, fault: "disk_full" };
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
  if (failure !== null) {
    const fault = findDatabaseFault(failure);
    if (adapter.fileState() === "deleted") {
      return { ready: false, reason: `the database file ${adapter.path} was deleted under the running server`, fault: "deleted" };
    }
    return fault
      ? { ready: false, reason: FAULT_REASONS[fault.kind], fault: fault.kind }
      : { ready: false, reason: "the database did not take the probe write", fault: "unavailable" };
  }

  let applied: Set<string>;
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    return { ready: false, reason: "the database is not reachable", fault: "unavailable" };
  }
  const missing = expectedMigrations.filter((name) => !applied.has(name));
  return missing.length === 0 ? { ready: true } : { ready: false, reason: `migrations not applied: ${missing.join(", ")}`, fault: "migrations" };
}

async function freeBytes(folder: string): Promise<number | null> {
  try {
    const stats = await statfs(folder);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

/** What readiness needs to know about a trusted issuer's remote keys. */
export interface IssuerKeys {
  readonly issuer: string;
  ensureLoaded(): Promise<{ readonly loaded: boolean; readonly lastError: string | null }>;
}

/**
 * Issuers whose keys could never be loaded: their tokens are all refused, so the instance should
 * not get traffic yet. Asking retries the fetch (within its cooldown), so readiness recovers as
 * soon as the provider answers; once loaded, keys are kept through later outages.
 */
export async function checkIssuerKeys(issuers: Iterable<IssuerKeys>): Promise<Readiness> {
  // In parallel: each fetch is bounded by JWKS_TIMEOUT, so the probe waits at most that long.
  const list = [...issuers];
  const statuses = await Promise.all(list.map((issuer) => issuer.ensureLoaded()));
  const missing = list.flatMap((issuer, i) => (statuses[i]!.loaded ? [] : [`${issuer.issuer} (${statuses[i]!.lastError ?? "not fetched yet"})`]));
  return missing.length === 0 ? { ready: true } : { ready: false, reason: `keys of trusted issuers could never be loaded: ${missing.join(", ")}` };
}

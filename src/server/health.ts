import type { DatabaseFaultKind } from "../db/database-fault.js";
import type { Database } from "../db/database.js";
import { probeDatabaseWrite } from "../db/database-probe.js";

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
  /** What is wrong, for dashboards and alerts: a database fault kind, `deleted`, or `migrations`. */
  readonly fault?: DatabaseFaultKind | "deleted" | "migrations";
}

/**
 * Ready when the database takes a write (see probeDatabaseWrite: a tiny write to HealthProbe,
 * after checks of the file where there is one) and has applied every migration this build ships.
 * Each call probes afresh, so a fixed fault turns this green without a restart.
 */
export async function checkReadiness(db: Database, expectedMigrations: readonly string[]): Promise<Readiness> {
  const probe = await probeDatabaseWrite(db);
  if (!probe.ok) return { ready: false, reason: probe.reason, fault: probe.fault };

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

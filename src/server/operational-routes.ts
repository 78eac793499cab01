import type { Express } from "express";
import type { TokenCacheStats } from "../auth/verified-token-cache.js";
import { adapterOf, type Database } from "../db/database.js";
import { checkReadiness, type Readiness } from "./health.js";

export interface OperationalRoutesOptions {
  db: Database;
  /** Migrations this build ships; readiness requires every one applied. */
  expectedMigrations: readonly string[];
  jwks: object;
  cacheStats(): TokenCacheStats;
  revokedSessionCount(): number;
  /** Told when /readyz turns red or green (not on every probe), so the log shows when and why. */
  onReadinessChange?: (readiness: Readiness) => void;
}

const FAULT_KINDS = ["locked", "read_only", "disk_full", "io", "unavailable", "corrupt"] as const;

/** Probes, the JWKS and metrics: the routes operators and other services use. */
export function mountOperationalRoutes(app: Express, options: OperationalRoutesOptions): void {
  // Liveness: the process is up and serving HTTP.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  // Readiness: send traffic here only when the database takes a write and is fully migrated.
  // Startup succeeded, so the server starts out ready: a first red probe is a change.
  let lastReadiness: Readiness = { ready: true };
  app.get("/readyz", async (_req, res) => {
    const readiness = await checkReadiness(options.db, options.expectedMigrations);
    if (lastReadiness.ready !== readiness.ready || lastReadiness.fault !== readiness.fault) {
      options.onReadinessChange?.(readiness);
    }
    lastReadiness = readiness;
    res
      .status(readiness.ready ? 200 : 503)
      .set("cache-control", "no-store")
      .json(readiness.ready ? { status: "ready" } : { status: "not_ready", reason: readiness.reason, fault: readiness.fault });
  });

  // Public halves of the ring's asymmetric keys, so other services verify our tokens without a secret.
  app.get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300").json(options.jwks);
  });

  // Prometheus text format: the verified-token cache and the revocation list.
  app.get("/metrics", async (_req, res) => {
    const cache = options.cacheStats();
    const storage = (await adapterOf(options.db)).stats();
    const metric = (name: string, type: "counter" | "gauge", help: string, value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    res
      .type("text/plain; version=0.0.4")
      .send(
        metric("claimgate_token_cache_hits_total", "counter", "Access tokens answered from the verified-token cache.", cache.hits) +
          metric("claimgate_token_cache_misses_total", "counter", "Access tokens that needed a signature check.", cache.misses) +
          metric("claimgate_token_cache_entries", "gauge", "Verified access tokens held in memory.", cache.size) +
          metric("claimgate_revoked_sessions", "gauge", "Recently ended sessions whose access tokens are refused.", options.revokedSessionCount()) +
          metric("claimgate_db_busy_retries_total", "counter", "Database attempts that met another connection's lock and were retried after a pause.", storage.busyRetries) +
          metric("claimgate_db_lock_timeouts_total", "counter", "Writes that gave up after DB_BUSY_TIMEOUT (answered 503 DATABASE_LOCKED).", storage.lockTimeouts) +
          metric("claimgate_db_reopens_total", "counter", "Times the database connections were reopened (file replaced, fault healed).", storage.reopens) +
          metric("claimgate_db_waiting_writes", "gauge", "Writes and transactions waiting for the database's writer connection now.", storage.waiting) +
          `# HELP claimgate_db_faults_total Database faults by kind (503 SERVICE_UNAVAILABLE).\n# TYPE claimgate_db_faults_total counter\n` +
          FAULT_KINDS.map((kind) => `claimgate_db_faults_total{kind="${kind}"} ${storage.faults[kind] ?? 0}\n`).join(""),
      );
  });
}

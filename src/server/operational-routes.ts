import { createHash, timingSafeEqual } from "node:crypto";
import type { Express } from "express";
import { passwordVerificationCount } from "../auth/passwords.js";
import type { TokenCacheStats } from "../auth/verified-token-cache.js";
import { storageStats, type Database } from "../db/database.js";
import { checkIssuerKeys, checkReadiness, type IssuerKeys, type Readiness } from "./health.js";

export interface OperationalRoutesOptions {
  db: Database;
  /** Migrations this build ships; readiness requires every one applied. */
  expectedMigrations: readonly string[];
  jwks: object;
  /** Trusted external issuers' key sets: readiness needs each loaded once. @default none */
  issuerKeys?: Iterable<IssuerKeys>;
  cacheStats(): TokenCacheStats;
  revokedSessionCount(): number;
  /** Users whose recent claim changes each process holds in memory. */
  claimsChangedCount(): number;
  /** 1 while the database's pushed changes arrive, 0 while reconnecting; undefined where it does not push (SQLite). */
  changeFeedConnected?(): number | undefined;
  /** Open authenticated WebSocket connections. @default none reported */
  socketCount?(): number;
  /** GraphQL requests answered on the lean path (lean-graphql-path.ts). @default none reported */
  leanRequestCount?(): number;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  /** Whether /metrics is served at all (production without METRICS_TOKEN: no). */
  metricsEnabled: boolean;
  /** `enforce: false` rules that would have denied, by coordinate. */
  wouldDenyCounts?(): ReadonlyMap<string, number>;
  /** Told when /readyz turns red or green (not on every probe), so the log shows when and why. */
  onReadinessChange?: (readiness: Readiness) => void;
}

/** Constant-time comparison of a presented bearer token with the configured one (hashes have equal lengths). */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
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
    let readiness = await checkReadiness(options.db, options.expectedMigrations);
    if (readiness.ready && options.issuerKeys) readiness = await checkIssuerKeys(options.issuerKeys);
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
  app.get("/metrics", async (req, res) => {
    if (!options.metricsEnabled) {
      res.status(404).json({ errors: [{ message: "Metrics are off: set METRICS_TOKEN to serve them (in production they need it).", extensions: { code: "NOT_FOUND" } }] });
      return;
    }
    if (options.metricsToken !== null && !bearerMatches(req.headers.authorization, options.metricsToken)) {
      res
        .status(401)
        .set("www-authenticate", 'Bearer realm="metrics"')
        .json({ errors: [{ message: "Metrics need Authorization: Bearer <METRICS_TOKEN>.", extensions: { code: "UNAUTHENTICATED" } }] });
      return;
    }
    const cache = options.cacheStats();
    const storage = await storageStats(options.db);
    const metric = (name: string, type: "counter" | "gauge", help: string, value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    res
      .type("text/plain; version=0.0.4")
      .send(
        metric("claimgate_token_cache_hits_total", "counter", "Access tokens answered from the verified-token cache.", cache.hits) +
          metric("claimgate_token_cache_misses_total", "counter", "Access tokens that needed a signature check.", cache.misses) +
          metric("claimgate_token_cache_entries", "gauge", "Verified access tokens held in memory.", cache.size) +
          metric("claimgate_token_cache_bytes", "gauge", "Estimated bytes the verified-token cache holds (bounded by 32 MiB and 10,000 entries).", cache.bytes) +
          metric("claimgate_revoked_sessions", "gauge", "Recently ended sessions whose access tokens are refused.", options.revokedSessionCount()) +
          metric("claimgate_claims_changed_users", "gauge", "Users whose recent claim changes make older access tokens stale.", options.claimsChangedCount()) +
          changeFeedMetric(options.changeFeedConnected?.()) +
          metric("claimgate_websocket_connections", "gauge", "Open WebSocket connections (GraphQL subscriptions) this process follows.", options.socketCount?.() ?? 0) +
          metric("claimgate_graphql_lean_requests_total", "counter", "GraphQL HTTP requests answered without Apollo Server's request pipeline (JSON POSTs of documents that parse and validate); the rest went through it.", options.leanRequestCount?.() ?? 0) +
          metric("claimgate_password_verifications_total", "counter", "Argon2id password verifications run (real and dummy): what login throttling bounds.", passwordVerificationCount()) +
          wouldDenyMetric(options.wouldDenyCounts?.() ?? new Map()) +
          metric("claimgate_db_busy_retries_total", "counter", "Database attempts that met another connection's lock and were retried after a pause.", storage.busyRetries) +
          metric("claimgate_db_lock_timeouts_total", "counter", "Writes that gave up after DB_BUSY_TIMEOUT (answered 503 DATABASE_LOCKED).", storage.lockTimeouts) +
          metric("claimgate_db_reopens_total", "counter", "Times the database connections were reopened (file replaced, fault healed).", storage.reopens) +
          metric("claimgate_db_waiting_writes", "gauge", "Writes and transactions waiting for the database's writer connection now.", storage.waiting) +
          `# HELP claimgate_db_faults_total Database faults by kind (503 SERVICE_UNAVAILABLE).\n# TYPE claimgate_db_faults_total counter\n` +
          FAULT_KINDS.map((kind) => `claimgate_db_faults_total{kind="${kind}"} ${storage.faults[kind] ?? 0}\n`).join(""),
      );
  });
}

/** One labelled counter per coordinate, and a zero line before the first event so dashboards find the series. */
function wouldDenyMetric(counts: ReadonlyMap<string, number>): string {
  const name = "claimgate_authorization_would_deny_total";
  const escape = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const lines = [`# HELP ${name} Requests an enforce: false rule would have denied, by field coordinate.`, `# TYPE ${name} counter`];
  if (counts.size === 0) lines.push(`${name} 0`);
  for (const [coordinate, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${name}{coordinate="${escape(coordinate)}"} ${count}`);
  return `${lines.join("\n")}\n`;
}

/** Only a database that pushes changes has a feed to report on. */
function changeFeedMetric(connected: number | undefined): string {
  if (connected === undefined) return "";
  return (
    "# HELP claimgate_change_feed_connected 1 while ended sessions and claim changes are pushed by the database, 0 while reconnecting (the poll covers the gap).\n" +
    `# TYPE claimgate_change_feed_connected gauge\nclaimgate_change_feed_connected ${connected}\n`
  );
}

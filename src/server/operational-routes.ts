import type { Express } from "express";
import type { TokenCacheStats } from "../auth/verified-token-cache.js";
import type { Database } from "../db/database.js";
import { checkReadiness } from "./health.js";

export interface OperationalRoutesOptions {
  db: Database;
  /** Migrations this build ships; readiness requires every one applied. */
  expectedMigrations: readonly string[];
  jwks: object;
  cacheStats(): TokenCacheStats;
  revokedSessionCount(): number;
  /** `enforce: false` rules that would have denied, by coordinate. */
  wouldDenyCounts?(): ReadonlyMap<string, number>;
}

/** Probes, the JWKS and metrics: the routes operators and other services use. */
export function mountOperationalRoutes(app: Express, options: OperationalRoutesOptions): void {
  // Liveness: the process is up and serving HTTP.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  // Readiness: send traffic here only when the database answers and is fully migrated.
  app.get("/readyz", async (_req, res) => {
    const readiness = await checkReadiness(options.db, options.expectedMigrations);
    res.status(readiness.ready ? 200 : 503).json(readiness.ready ? { status: "ready" } : { status: "not_ready", reason: readiness.reason });
  });

  // Public halves of the ring's asymmetric keys, so other services verify our tokens without a secret.
  app.get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300").json(options.jwks);
  });

  // Prometheus text format: the verified-token cache and the revocation list.
  app.get("/metrics", (_req, res) => {
    const cache = options.cacheStats();
    const metric = (name: string, type: "counter" | "gauge", help: string, value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    res
      .type("text/plain; version=0.0.4")
      .send(
        metric("claimgate_token_cache_hits_total", "counter", "Access tokens answered from the verified-token cache.", cache.hits) +
          metric("claimgate_token_cache_misses_total", "counter", "Access tokens that needed a signature check.", cache.misses) +
          metric("claimgate_token_cache_entries", "gauge", "Verified access tokens held in memory.", cache.size) +
          metric("claimgate_revoked_sessions", "gauge", "Recently ended sessions whose access tokens are refused.", options.revokedSessionCount()) +
          wouldDenyMetric(options.wouldDenyCounts?.() ?? new Map()),
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

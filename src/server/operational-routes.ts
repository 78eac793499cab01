import { createHash, timingSafeEqual } from "node:crypto";
import type { Express } from "express";
import { passwordVerificationCount } from "../auth/passwords.js";
import type { TokenCacheStats } from "../auth/verified-token-cache.js";
import type { Database } from "../db/database.js";
import { checkIssuerKeys, checkReadiness, type IssuerKeys } from "./health.js";

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
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  /** Whether /metrics is served at all (production without METRICS_TOKEN: no). */
  metricsEnabled: boolean;
}

/** Constant-time comparison of a presented bearer token with the configured one (hashes have equal lengths). */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Probes, the JWKS and metrics: the routes operators and other services use. */
export function mountOperationalRoutes(app: Express, options: OperationalRoutesOptions): void {
  // Liveness: the process is up and serving HTTP.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  // Readiness: send traffic here only when the database answers and is fully migrated.
  app.get("/readyz", async (_req, res) => {
    let readiness = await checkReadiness(options.db, options.expectedMigrations);
    if (readiness.ready && options.issuerKeys) readiness = await checkIssuerKeys(options.issuerKeys);
    res.status(readiness.ready ? 200 : 503).json(readiness.ready ? { status: "ready" } : { status: "not_ready", reason: readiness.reason });
  });

  // Public halves of the ring's asymmetric keys, so other services verify our tokens without a secret.
  app.get("/.well-known/jwks.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300").json(options.jwks);
  });

  // Prometheus text format: the verified-token cache and the revocation list.
  app.get("/metrics", (req, res) => {
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
    const metric = (name: string, type: "counter" | "gauge", help: string, value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    res
      .type("text/plain; version=0.0.4")
      .send(
        metric("claimgate_token_cache_hits_total", "counter", "Access tokens answered from the verified-token cache.", cache.hits) +
          metric("claimgate_token_cache_misses_total", "counter", "Access tokens that needed a signature check.", cache.misses) +
          metric("claimgate_token_cache_entries", "gauge", "Verified access tokens held in memory.", cache.size) +
          metric("claimgate_revoked_sessions", "gauge", "Recently ended sessions whose access tokens are refused.", options.revokedSessionCount()) +
          metric("claimgate_claims_changed_users", "gauge", "Users whose recent claim changes make older access tokens stale.", options.claimsChangedCount()) +
          metric("claimgate_password_verifications_total", "counter", "Argon2id password verifications run (real and dummy): what login throttling bounds.", passwordVerificationCount()),
      );
  });
}

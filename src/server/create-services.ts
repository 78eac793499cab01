import { createAccountService } from "../auth/accounts.js";
import type { AuthEventSink } from "../auth/auth-events.js";
import { createAuthenticator, type Authenticator } from "../auth/authenticate.js";
import { loadConfiguredKeyRing } from "../auth/configured-key-ring.js";
import { LoginThrottle } from "../auth/login-throttle.js";
import { hashPassword } from "../auth/passwords.js";
import { RevokedSessions } from "../auth/revoked-sessions.js";
import { createSessionService } from "../auth/sessions.js";
import type { KeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import { configureSqlite, openDatabase } from "../db/database.js";
import { findLostDatabase, lostDatabaseMessage, writeMarker } from "../db/database-marker.js";
import { LostDatabaseError } from "../db/lost-database-error.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { sqliteFilePath } from "../db/sqlite-url.js";
import { seedDemoData } from "../db/seed-demo-data.js";
import type { Services } from "../graphql/context.js";
import { MIGRATIONS_DIR } from "../project-root.js";
import type { Logger } from "./logger.js";

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
}

export interface ServerServices extends Services {
  readonly authenticator: Authenticator;
  readonly keys: KeyRing;
  revokedSessionCount(): number;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

/** Migrates and opens the database, loads the key ring, and wires the services together. */
export async function createServices(options: CreateServicesOptions): Promise<ServerServices> {
  const { config, logger, clock } = options;
  // --- storage: refuse to replace a lost database with an empty one (see database-marker.ts) ---
  const databasePath = sqliteFilePath(config.databaseUrl);
  const lost = findLostDatabase(databasePath);
  if (lost && config.env !== "development") throw new LostDatabaseError(lostDatabaseMessage(lost));
  if (lost) logger.error({ event: "database_recreated", database: databasePath }, `CREATING A NEW EMPTY DATABASE (development only). ${lostDatabaseMessage(lost)}`);
  const applied = await migrateIfNeeded({ databaseUrl: config.databaseUrl, migrationsDir: MIGRATIONS_DIR });
  if (applied.length > 0) logger.info({ event: "migrations_applied", migrations: applied }, "applied database migrations");
  const markerError = writeMarker(databasePath, clock());
  if (markerError) logger.warn({ event: "database_marker_not_written", err: markerError }, "could not write the marker that guards against a silently re-created database");
  // --- end storage ---

  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    onReopen: (reason) => logger.warn({ event: "database_reopened", reason }, `reopened the database: ${reason}`),
  });
  await configureSqlite(db);
  if (config.seedDemoUsers) await seedDemoData({ db, hashPassword });

  const keys = await loadConfiguredKeyRing(config);
  const revokedSessions = new RevokedSessions({
    db,
    syncIntervalMs: config.revocationSyncSeconds * 1000,
    retentionMs: (config.tokens.accessTokenTtlSeconds + config.tokens.clockToleranceSeconds + 60) * 1000,
    clock,
    onError: (error) => logger.error({ event: "revocation_sync_failed", err: error }, "could not read revoked sessions"),
  });
  await revokedSessions.start();
  const events: AuthEventSink = (event) => logger.info(event, event.event.replaceAll("_", " "));
  const sessions = createSessionService({ db, keys, tokens: config.tokens, clock, revoked: revokedSessions, events });
  const throttle = new LoginThrottle({ db, policy: config.loginThrottle, clock });
  const accounts = createAccountService({ db, sessions, throttle, events, clock });
  const authenticator = createAuthenticator({ verification: { keys, tokens: config.tokens }, revokedSessions, clock });
  return {
    db,
    sessions,
    accounts,
    clock,
    authenticator,
    keys,
    revokedSessionCount: () => revokedSessions.size,
    async close() {
      revokedSessions.stop();
      await db.$disconnect();
    },
  };
}

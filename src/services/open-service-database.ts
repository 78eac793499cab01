import type { Config } from "../config/config.js";
import { LoginThrottle } from "../auth/login-throttle.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { connectDatabase, type Database, openDatabase } from "../db/database.js";
import { findLostDatabaseOf, lostDatabaseMessage, writeMarkerOf } from "../db/database-marker.js";
import { LostDatabaseError } from "../db/lost-database-error.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { ensurePrivateDatabaseFile } from "../db/private-files.js";
import { seedDemoData } from "../db/seed-demo-data.js";
import type { Logger } from "pino";

export interface OpenServiceDatabaseOptions {
  config: Pick<Config, "databaseUrl" | "dbBusyTimeoutMs" | "dbStatementTimeoutMs" | "env" | "seedDemoUsers" | "loginThrottle">;
  logger: Logger;
  clock: () => Date;
}

/**
 * The database every process works on, ready for use: a lost database is never silently replaced
 * by an empty one (outside development), the file is created private, migrations are applied,
 * and the demo accounts are restored when SEED_DEMO_USERS asks for them. Nothing here starts
 * background work: the server and the CLI both begin with it, and only the server adds more.
 */
export async function openServiceDatabase(options: OpenServiceDatabaseOptions): Promise<Database> {
  const { config, logger, clock } = options;
  // Refuse to replace a lost database with an empty one (see database-marker.ts).
  const lost = findLostDatabaseOf(config.databaseUrl);
  if (lost && config.env !== "development") throw new LostDatabaseError(lostDatabaseMessage(lost));
  if (lost) logger.error({ event: "database_recreated", database: lost.databasePath }, `CREATING A NEW EMPTY DATABASE (development only). ${lostDatabaseMessage(lost)}`);
  // Only then create the file, private (0600), before SQLite would with the umask's mode.
  await ensurePrivateDatabaseFile(config.databaseUrl);
  const applied = await migrateIfNeeded({ databaseUrl: config.databaseUrl });
  if (applied.length > 0) logger.info({ event: "migrations_applied", migrations: applied }, "applied database migrations");
  const markerError = writeMarkerOf(config.databaseUrl, clock());
  if (markerError) logger.warn({ event: "database_marker_not_written", err: markerError }, "could not write the marker that guards against a silently re-created database");

  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onReopen: (reason) => logger.warn({ event: "database_reopened", reason }, `reopened the database: ${reason}`),
  });
  await connectDatabase(db);
  if (config.seedDemoUsers) {
    const throttle = new LoginThrottle({ db, policy: config.loginThrottle, clock });
    const demo = await seedDemoData({ db, hashPassword, verifyPassword, forgetFailedLogins: (email) => throttle.unlock(email), clock });
    if (demo.restored.length > 0) {
      logger.info({ event: "demo_accounts_restored", restored: demo.restored }, `demo accounts restored as documented: ${demo.restored.join("; ")}`);
    }
  }
  return db;
}

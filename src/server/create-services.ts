import { createAccountService } from "../auth/accounts.js";
import type { AuthEventSink } from "../auth/auth-events.js";
import { createAuthenticator, type Authenticator } from "../auth/authenticate.js";
import { loadConfiguredKeyRing } from "../auth/configured-key-ring.js";
import { LoginThrottle } from "../auth/login-throttle.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { RevokedSessions } from "../auth/revoked-sessions.js";
import { createSessionService } from "../auth/sessions.js";
import type { KeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import { configureSqlite, openDatabase } from "../db/database.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { seedDemoData } from "../db/seed-demo-data.js";
import type { Services } from "../graphql/context.js";
import { MIGRATIONS_DIR } from "../project-root.js";
import type { Logger } from "./logger.js";

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
  /**
   * Work that only a process serving requests needs. The CLI's account commands turn both off:
   * they neither sign nor verify tokens (so production asks them for no keys) and must exit
   * without a timer to stop. @default { signingKeys: true, revocationSync: true }
   */
  needs?: { readonly signingKeys?: boolean; readonly revocationSync?: boolean };
}

export interface ServerServices extends Services {
  readonly authenticator: Authenticator;
  readonly keys: KeyRing;
  revokedSessionCount(): number;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

const notLoaded = (): never => {
  throw new Error("signing keys were not loaded: createServices was told this process needs none");
};
/** Stands in for the key ring where none is loaded; touching it is a bug, reported as such. */
const keysNotLoaded: KeyRing = Object.freeze({
  get active() {
    return notLoaded();
  },
  get byKid() {
    return notLoaded();
  },
  get algorithms() {
    return notLoaded();
  },
  get jwks() {
    return notLoaded();
  },
});

/** Migrates and opens the database, loads the key ring, and wires the services together. */
export async function createServices(options: CreateServicesOptions): Promise<ServerServices> {
  const { config, logger, clock } = options;
  const applied = await migrateIfNeeded({ databaseUrl: config.databaseUrl, migrationsDir: MIGRATIONS_DIR });
  if (applied.length > 0) logger.info({ event: "migrations_applied", migrations: applied }, "applied database migrations");

  const db = openDatabase({ databaseUrl: config.databaseUrl });
  await configureSqlite(db);
  if (config.seedDemoUsers) {
    const demo = await seedDemoData({ db, hashPassword, verifyPassword });
    if (demo.restored.length > 0) {
      logger.info({ event: "demo_accounts_restored", restored: demo.restored }, `demo accounts restored as documented: ${demo.restored.join("; ")}`);
    }
  }

  const keys = options.needs?.signingKeys === false ? keysNotLoaded : await loadConfiguredKeyRing(config);
  const revokedSessions = new RevokedSessions({
    db,
    syncIntervalMs: config.revocationSyncSeconds * 1000,
    retentionMs: (config.tokens.accessTokenTtlSeconds + config.tokens.clockToleranceSeconds + 60) * 1000,
    clock,
    onError: (error) => logger.error({ event: "revocation_sync_failed", err: error }, "could not read revoked sessions"),
  });
  // Revocations made here count at once either way; syncing reads those of other processes.
  if (options.needs?.revocationSync !== false) await revokedSessions.start();
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

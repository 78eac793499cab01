import { createAccountService } from "../auth/accounts.js";
import type { AuthEventSink } from "../auth/auth-events.js";
import { createAuthenticator, type Authenticator } from "../auth/authenticate.js";
import { loadConfiguredKeyRing } from "../auth/configured-key-ring.js";
import { ActionRateLimiter, LoginThrottle } from "../auth/login-throttle.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { type ExternalIssuer, prepareExternalIssuer } from "../auth/external-token.js";
import { RemoteKeySet } from "../auth/remote-key-set.js";
import { ExternalUserLinks } from "../auth/external-users.js";
import { RoleCatalog } from "../auth/role-catalog.js";
import { createRoleAdmin } from "../auth/role-admin.js";
import { RevokedSessions } from "../auth/revoked-sessions.js";
import { PostFeed } from "../domain/post-feed.js";
import { createSessionService } from "../auth/sessions.js";
import type { KeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import { connectDatabase, openDatabase } from "../db/database.js";
import { findLostDatabaseOf, lostDatabaseMessage, writeMarkerOf } from "../db/database-marker.js";
import { LostDatabaseError } from "../db/lost-database-error.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { ensurePrivateDatabaseFile } from "../db/private-files.js";
import { seedDemoData } from "../db/seed-demo-data.js";
import type { Services } from "../graphql/context.js";
import { createOutboxMailer } from "../mail/outbox-mailer.js";
import { createSmtpMailer } from "../mail/smtp-mailer.js";
import { createUnconfiguredMailer } from "../mail/unconfigured-mailer.js";
import type { Mailer } from "../mail/mailer.js";
import type { Logger } from "./logger.js";

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** The server's own origin (e.g. http://127.0.0.1:4000), known once it listens: links in mails default to it. */
  publicOrigin?: () => string;
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
  /** Trusted external issuers by `iss`, with their remote key sets (for readiness). */
  readonly externalIssuers: ReadonlyMap<string, ExternalIssuer>;
  /** Session ends and claim changes as this process learns of them (WebSocket connections follow them). */
  readonly revokedSessions: RevokedSessions;
  revokedSessionCount(): number;
  claimsChangedCount(): number;
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
  const externalIssuers = new Map<string, ExternalIssuer>();
  for (const trusted of config.trustedIssuers) {
    const remote = new RemoteKeySet({
      issuer: trusted.issuer,
      jwksUri: trusted.jwksUri,
      policy: config.remoteKeys,
      clock,
      onFetch: (event) =>
        event.event === "jwks_fetched" ? logger.info(event, "fetched an issuer's keys") : logger.warn(event, "could not fetch an issuer's keys"),
    });
    externalIssuers.set(trusted.issuer, prepareExternalIssuer(trusted, remote));
  }
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
    onReopen: (reason) => logger.warn({ event: "database_reopened", reason }, `reopened the database: ${reason}`),
  });
  await connectDatabase(db);
  const throttle = new LoginThrottle({ db, policy: config.loginThrottle, clock });
  if (config.seedDemoUsers) {
    const demo = await seedDemoData({ db, hashPassword, verifyPassword, forgetFailedLogins: (email) => throttle.unlock(email), clock });
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
  const mailer = createMailer(config, logger, clock);
  const accounts = createAccountService({
    db,
    sessions,
    throttle,
    rateLimiter: new ActionRateLimiter({ db, limits: config.accountRateLimits, clock }),
    mail: config.mail,
    mailer,
    defaultAppUrl: options.publicOrigin ?? (() => `http://${config.host}:${config.port}`),
    devices: { keys, issuer: config.tokens.issuer, ttlSeconds: config.deviceTokenTtlSeconds },
    revoked: revokedSessions,
    events,
    clock,
    onMailError: (error, mail) => logger.error({ event: "mail_failed", purpose: mail.purpose, err: error }, "could not send a mail"),
  });
  const externalUsers = config.trustedIssuers.some((trusted) => trusted.linkUsers)
    ? new ExternalUserLinks({ db, clock, recheckSeconds: config.revocationSyncSeconds })
    : undefined;
  const roleCatalog = config.trustedIssuers.some((trusted) => trusted.expandRoles)
    ? new RoleCatalog({
        db,
        syncIntervalMs: config.revocationSyncSeconds * 1000,
        onError: (error) => logger.error({ event: "role_sync_failed", err: error }, "could not read roles"),
      })
    : undefined;
  await roleCatalog?.start();
  const authenticator = createAuthenticator({
    verification: { keys, tokens: config.tokens },
    revokedSessions,
    externalIssuers,
    ...(externalUsers ? { externalUsers } : {}),
    ...(roleCatalog ? { roleCatalog } : {}),
    clock,
  });
  return {
    db,
    sessions,
    accounts,
    roles: createRoleAdmin({ db, revoked: revokedSessions, clock, ...(roleCatalog ? { onRolesChanged: () => roleCatalog.sync() } : {}) }),
    clock,
    authenticator,
    keys,
    externalIssuers,
    revokedSessions,
    postFeed: new PostFeed(),
    revokedSessionCount: () => revokedSessions.size,
    claimsChangedCount: () => revokedSessions.claimsChangedCount,
    async close() {
      revokedSessions.stop();
      roleCatalog?.stop();
      await mailer.close();
      await db.$disconnect();
    },
  };
}

/**
 * SMTP when SMTP_URL is set; otherwise the outbox folder in development and tests, and nothing in
 * production (which refuses to start without SMTP while verification is on).
 */
function createMailer(config: Config, logger: Logger, clock: () => Date): Mailer {
  if (config.mail.smtpUrl) return createSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
  if (config.env === "production") return createUnconfiguredMailer();
  return createOutboxMailer({
    dir: config.mail.outboxDir,
    from: config.mail.from,
    clock,
    // Development prints each mail so the quick start needs no mail server; the link logs a person in, so never elsewhere.
    onMail: (mail, file) =>
      config.env === "development"
        ? logger.info({ event: "mail_outbox", to: mail.to, subject: mail.subject, link: mail.link, file }, `mail to ${mail.to}: ${mail.link ?? mail.subject}`)
        : logger.info({ event: "mail_outbox", purpose: mail.purpose, file }, "mail written to the outbox"),
  });
}

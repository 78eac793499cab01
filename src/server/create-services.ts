import { createAuthenticator, type Authenticator } from "../auth/authenticate.js";
import { loadConfiguredKeyRing } from "../auth/configured-key-ring.js";
import { type ExternalIssuer, prepareExternalIssuer } from "../auth/external-token.js";
import { RemoteKeySet } from "../auth/remote-key-set.js";
import { ExternalUserLinks } from "../auth/external-users.js";
import { RoleCatalog } from "../auth/role-catalog.js";
import { RevokedSessions } from "../auth/revoked-sessions.js";
import { ExpiredRowPruner } from "../auth/expired-row-pruner.js";
import { PostFeed } from "../domain/post-feed.js";
import type { KeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import { pushesChanges, type DatabaseChanges } from "../db/database-changes.js";
import type { Services } from "../graphql/context.js";
import { createAccountServices } from "../services/account-services.js";
import { openServiceDatabase } from "../services/open-service-database.js";
import { followDatabaseChanges } from "./follow-database-changes.js";
import type { Logger } from "./logger.js";

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** The server's own origin (e.g. http://127.0.0.1:4000), known once it listens: links in mails default to it. */
  publicOrigin?: () => string;
}

export interface ServerServices extends Services {
  readonly authenticator: Authenticator;
  readonly keys: KeyRing;
  /** Trusted external issuers by `iss`, with their remote key sets (for readiness). */
  readonly externalIssuers: ReadonlyMap<string, ExternalIssuer>;
  /** Session ends and claim changes as this process learns of them (WebSocket connections follow them). */
  readonly revokedSessions: RevokedSessions;
  revokedSessionCount(): number;
  /** Changes the database pushes from other processes (none on SQLite). */
  changeFeed(): DatabaseChanges;
  claimsChangedCount(): number;
  /** Deletes sessions, mail links and attempt counters that can no longer matter, every few minutes. */
  readonly pruner: ExpiredRowPruner;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

/**
 * Everything a serving process needs: the database (services/open-service-database.ts), the key
 * ring, the revocation sync, trusted issuers, the authenticator and the account services
 * (services/account-services.ts). The CLI opens only the parts its commands use (cli-context.ts).
 */
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
  const db = await openServiceDatabase({ config, logger, clock });

  const keys = await loadConfiguredKeyRing(config);
  // A database that pushes changes (PostgreSQL) needs the poll only as a fallback for lost notifications.
  const pollSeconds = pushesChanges(config.databaseUrl) ? config.revocationFallbackSeconds : config.revocationSyncSeconds;
  const retentionMs = (config.tokens.accessTokenTtlSeconds + config.tokens.clockToleranceSeconds + 60) * 1000;
  const revokedSessions = new RevokedSessions({
    db,
    syncIntervalMs: pollSeconds * 1000,
    retentionMs,
    clock,
    onError: (error) => logger.error({ event: "revocation_sync_failed", err: error }, "could not read revoked sessions"),
  });
  // Revocations made here count at once; syncing reads those of other processes.
  await revokedSessions.start();
  const pruner = new ExpiredRowPruner({
    db,
    clock,
    retentionMs,
    throttleWindowMs: Math.max(config.loginThrottle.windowSeconds, config.accountRateLimits.windowSeconds) * 1000,
    onError: (error) => logger.error({ event: "prune_failed", err: error }, "could not delete expired rows"),
  });
  pruner.start();
  const externalUsers = config.trustedIssuers.some((trusted) => trusted.linkUsers)
    ? new ExternalUserLinks({ db, clock, recheckSeconds: config.revocationSyncSeconds })
    : undefined;
  // Disabling, deleting or re-enabling an account bumps its claims version: this process hears of
  // it at once, others by the PostgreSQL notification or the next sync, and the cached state goes.
  if (externalUsers) revokedSessions.listen(externalUsers);
  const roleCatalog = config.trustedIssuers.some((trusted) => trusted.expandRoles)
    ? new RoleCatalog({
        db,
        syncIntervalMs: pollSeconds * 1000,
        onError: (error) => logger.error({ event: "role_sync_failed", err: error }, "could not read roles"),
      })
    : undefined;
  await roleCatalog?.start();
  const { sessions, accounts, roles, mailer } = createAccountServices({
    config,
    db,
    logger,
    clock,
    keys,
    revoked: revokedSessions,
    ...(options.publicOrigin ? { publicOrigin: options.publicOrigin } : {}),
    ...(roleCatalog ? { onRolesChanged: () => roleCatalog.sync() } : {}),
  });
  const postFeed = new PostFeed();
  const changes = await followDatabaseChanges({ databaseUrl: config.databaseUrl, db, logger, revokedSessions, roleCatalog, postFeed, pollSeconds });
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
    roles,
    clock,
    authenticator,
    keys,
    externalIssuers,
    revokedSessions,
    postFeed,
    changeFeed: () => changes,
    revokedSessionCount: () => revokedSessions.size,
    claimsChangedCount: () => revokedSessions.claimsChangedCount,
    pruner,
    async close() {
      revokedSessions.stop();
      pruner.stop();
      roleCatalog?.stop();
      await changes.stop();
      await mailer.close();
      await db.$disconnect();
    },
  };
}

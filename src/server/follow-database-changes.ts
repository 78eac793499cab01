import type { RevokedSessions } from "../auth/revoked-sessions.js";
import type { RoleCatalog } from "../auth/role-catalog.js";
import type { Database } from "../db/database.js";
import type { DatabaseChange } from "../db/database-change.js";
import { watchDatabaseChanges, type DatabaseChanges } from "../db/database-changes.js";
import type { PostFeed } from "../domain/post-feed.js";
import type { Logger } from "./logger.js";

export interface FollowDatabaseChangesOptions {
  databaseUrl: string;
  db: Database;
  logger: Logger;
  revokedSessions: RevokedSessions;
  roleCatalog: RoleCatalog | undefined;
  postFeed: PostFeed;
  /** How often the fallback poll runs, for the warning while changes are not pushed. */
  pollSeconds: number;
}

/**
 * Acts at once on what other processes commit (an ended session, new claims, an edited role, a
 * published post), where the database pushes it (PostgreSQL); after every (re)connect, re-reads
 * in full what notifications may have missed.
 */
export function followDatabaseChanges(options: FollowDatabaseChangesOptions): Promise<DatabaseChanges> {
  const { db, logger, revokedSessions, roleCatalog, postFeed } = options;
  const syncRoles = () => roleCatalog?.sync().catch((error: unknown) => logger.error({ event: "role_sync_failed", err: error }, "could not read roles"));
  const apply = (change: DatabaseChange): void => {
    switch (change.kind) {
      case "session_ended":
        return revokedSessions.add([change.sessionId]);
      case "claims_changed":
        return revokedSessions.noteClaimsChanged(change.userId, change.version);
      case "roles_changed":
        void syncRoles();
        return;
      case "post_published":
        db.post
          .findUnique({ where: { id: change.postId } })
          .then((post) => post && postFeed.publish(post))
          .catch((error: unknown) => logger.error({ event: "post_feed_failed", err: error }, "could not read a published post"));
        return;
    }
  };
  return watchDatabaseChanges({
    databaseUrl: options.databaseUrl,
    onChange: apply,
    onResync: async () => {
      // Incremental is enough: it re-reads from just before the last successful sync, which covers
      // the time this process was not listening (the fallback poll keeps that point recent).
      await Promise.all([
        revokedSessions.sync().catch((error: unknown) => logger.error({ event: "revocation_sync_failed", err: error }, "could not read revoked sessions")),
        syncRoles(),
      ]);
    },
    onDisconnect: (error) =>
      logger.warn(
        { event: "change_feed_disconnected", err: error },
        `not receiving pushed changes; ended sessions reach this process by polling every ${options.pollSeconds}s until it reconnects`,
      ),
    onReconnect: () => logger.info({ event: "change_feed_reconnected" }, "receiving pushed changes again"),
  });
}

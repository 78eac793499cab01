import type { TokenConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import { DomainError } from "../domain/domain-error.js";
import { type AuthEventSink, discardAuthEvents } from "./auth-events.js";
import { createReuseDetector } from "./refresh-reuse.js";
import type { RevokedSessions } from "./revoked-sessions.js";
import { createSessionIssuer, type PreparedSession, type StartOptions } from "./session-issuer.js";
import { createSessionRevocation, type RevokeAllOptions } from "./session-revocation.js";
import { createSessionRotation } from "./session-rotation.js";
import type { ClientInfo, IssuedTokens, RevocationReason, SessionContext, SessionView } from "./session-types.js";
import type { KeyRing } from "./signing-keys.js";

export { accountDisabled } from "./session-errors.js";
export type { RevokeAllOptions } from "./session-revocation.js";
export type { ClientInfo, IssuedTokens, RevocationReason, SessionView } from "./session-types.js";

export interface SessionServiceOptions {
  db: Database;
  keys: KeyRing;
  tokens: TokenConfig;
  clock: () => Date;
  revoked: RevokedSessions;
  events?: AuthEventSink;
}

export interface SessionService {
  /** Starts a session (a refresh-token family) for a user who just proved who they are. */
  start(user: User, client: ClientInfo, options?: StartOptions): Promise<IssuedTokens>;
  /** A session start's tokens, made ahead without writing anything (see SessionIssuer.prepare). */
  prepare(user: User, client: ClientInfo): Promise<PreparedSession>;
  /** Consumes a refresh token and issues its successor with the user's current claims. */
  refresh(refreshToken: string, client: ClientInfo): Promise<IssuedTokens>;
  /** Revokes the session the refresh token belongs to. */
  logout(refreshToken: string): Promise<void>;
  /** The user's sessions that have not ended, most recently used first. */
  list(userId: string): Promise<SessionView[]>;
  /** Ends one of the user's own sessions; NOT_FOUND for anyone else's. */
  revoke(userId: string, sessionId: string, reason: RevocationReason): Promise<void>;
  /**
   * Ends every session of a user (but `except`) and bumps the user's credential epoch in one
   * transaction, with any further writes of the same change; returns how many sessions ended.
   * A login or refresh still in flight cannot create a session afterwards (see start()).
   */
  revokeAll(userId: string, reason: RevocationReason, options?: RevokeAllOptions): Promise<number>;
}

/**
 * Sessions and their refresh-token families, put together from one part per responsibility:
 * issuing (session-issuer.ts), rotation (session-rotation.ts), reuse detection
 * (refresh-reuse.ts), revocation (session-revocation.ts) and their refusals (session-errors.ts).
 */
export function createSessionService(options: SessionServiceOptions): SessionService {
  const context: SessionContext = { ...options, events: options.events ?? discardAuthEvents };
  const { db, clock, events } = context;
  const revocation = createSessionRevocation(context);
  const issuer = createSessionIssuer(context);
  const rotate = createSessionRotation(context, issuer, createReuseDetector(context, revocation));

  return {
    start: issuer.start,
    prepare: issuer.prepare,

    async refresh(presented, client) {
      try {
        const tokens = await rotate(presented, client);
        events({ event: "refresh_succeeded", userId: tokens.user.id, sessionId: tokens.sessionId });
        return tokens;
      } catch (error) {
        if (error instanceof DomainError) events({ event: "refresh_refused", reason: error.reason });
        throw error;
      }
    },

    logout: revocation.logout,

    async list(userId) {
      return db.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: clock() } },
        orderBy: { lastUsedAt: "desc" },
        select: { id: true, createdAt: true, lastUsedAt: true, userAgent: true, ip: true },
      });
    },

    revoke: revocation.revoke,
    revokeAll: revocation.revokeAll,
  };
}

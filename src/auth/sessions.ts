import { randomUUID } from "node:crypto";
import type { TokenConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import { findRefreshToken, rotateRefreshToken } from "../db/refresh-token-rotation.js";
import { DomainError } from "../domain/domain-error.js";
import { decodeStoredClaims } from "../domain/user-claims.js";
import { toUserView, type UserView } from "../domain/users.js";
import { signAccessToken } from "./access-token.js";
import { generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from "./refresh-token.js";
import { type AuthEventSink, discardAuthEvents } from "./auth-events.js";
import type { RevokedSessions } from "./revoked-sessions.js";
import type { KeyRing } from "./signing-keys.js";

/** What the client told us about itself, shown in session lists. */
export interface ClientInfo {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: "Bearer";
  readonly expiresIn: number;
  readonly user: UserView;
  readonly sessionId: string;
}

export interface SessionServiceOptions {
  db: Database;
  keys: KeyRing;
  tokens: TokenConfig;
  clock: () => Date;
  revoked: RevokedSessions;
  events?: AuthEventSink;
}

/** An active session as its owner sees it. */
export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export type RevocationReason =
  | "logout"
  | "logout_all"
  | "revoked_by_user"
  | "revoked_by_admin"
  | "password_changed"
  | "account_disabled"
  | "account_deleted"
  | "refresh_token_reuse";

export interface SessionService {
  /** Starts a session (a refresh-token family) for a user who just proved who they are. */
  start(user: User, client: ClientInfo): Promise<IssuedTokens>;
  /** Consumes a refresh token and issues its successor with the user's current claims. */
  refresh(refreshToken: string, client: ClientInfo): Promise<IssuedTokens>;
  /** Revokes the session the refresh token belongs to. */
  logout(refreshToken: string): Promise<void>;
  /** The user's sessions that have not ended, most recently used first. */
  list(userId: string): Promise<SessionView[]>;
  /** Ends one of the user's own sessions; NOT_FOUND for anyone else's. */
  revoke(userId: string, sessionId: string, reason: RevocationReason): Promise<void>;
  /** Ends every session of a user, but `except`; returns how many ended. */
  revokeAll(userId: string, reason: RevocationReason, except?: string): Promise<number>;
}

/** User agents are shown in session lists, not parsed: a bounded prefix is enough. */
const userAgentOf = (client: ClientInfo) => client.userAgent?.slice(0, 256) ?? null;

const refreshError = (reason: string, message: string) => new DomainError("UNAUTHENTICATED", reason, message);
export const accountDisabled = () =>
  new DomainError("FORBIDDEN", "ACCOUNT_DISABLED", "This account is disabled; contact an administrator.");
const INVALID = () =>
  refreshError("REFRESH_TOKEN_INVALID", "The refresh token is not valid (unknown, or its session has ended); log in again.");

export function createSessionService(options: SessionServiceOptions): SessionService {
  const { db, tokens, clock, revoked } = options;
  const events = options.events ?? discardAuthEvents;

  /** Marks sessions revoked in the database and, at once, in this process's revocation list. */
  async function revokeWhere(where: { id?: string; userId?: string; NOT?: { id: string } }, reason: RevocationReason): Promise<number> {
    const ids = (await db.session.findMany({ where: { ...where, revokedAt: null }, select: { id: true } })).map((row) => row.id);
    if (ids.length === 0) return 0;
    revoked.add(ids);
    const { count } = await db.session.updateMany({
      where: { id: { in: ids }, revokedAt: null },
      data: { revokedAt: clock(), revokedReason: reason },
    });
    events({ event: "sessions_revoked", userId: where.userId ?? null, reason, count });
    return count;
  }
  const refreshExpiry = (now: Date) => new Date(now.getTime() + tokens.refreshTokenTtlSeconds * 1000);

  async function issue(user: User, sessionId: string, refreshToken: string, now: Date): Promise<IssuedTokens> {
    const access = await signAccessToken({
      keys: options.keys,
      tokens,
      subject: user.id,
      sessionId,
      claims: decodeStoredClaims(user.claims),
      now,
    });
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: "Bearer",
      expiresIn: access.expiresIn,
      user: toUserView(user),
      sessionId,
    };
  }

  return {
    async start(user, client) {
      const now = clock();
      const refreshToken = generateRefreshToken();
      const sessionId = randomUUID();
      // One batch, no nested write: Prisma runs nested creates in an interactive transaction.
      await db.$transaction([
        db.session.create({
          data: {
            id: sessionId,
            userId: user.id,
            userAgent: userAgentOf(client),
            ip: client.ip ?? null,
            createdAt: now,
            lastUsedAt: now,
            expiresAt: refreshExpiry(now),
          },
          select: { id: true },
        }),
        db.refreshToken.create({
          data: { sessionId, tokenHash: hashRefreshToken(refreshToken), generation: 0, createdAt: now, expiresAt: refreshExpiry(now) },
          select: { id: true },
        }),
      ]);
      return issue(user, sessionId, refreshToken, now);
    },

    async refresh(presented, client) {
      try {
        const tokens = await refreshSession(presented, client);
        events({ event: "refresh_succeeded", userId: tokens.user.id, sessionId: tokens.sessionId });
        return tokens;
      } catch (error) {
        if (error instanceof DomainError) events({ event: "refresh_refused", reason: error.reason });
        throw error;
      }
    },

    async logout(presented) {
      if (!looksLikeRefreshToken(presented)) throw INVALID();
      const row = await db.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(presented) } });
      if (!row) throw INVALID();
      await revokeWhere({ id: row.sessionId }, "logout");
      events({ event: "logout", sessionId: row.sessionId });
    },

    async list(userId) {
      return db.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: clock() } },
        orderBy: { lastUsedAt: "desc" },
        select: { id: true, createdAt: true, lastUsedAt: true, userAgent: true, ip: true },
      });
    },

    async revoke(userId, sessionId, reason) {
      const session = await db.session.findFirst({ where: { id: sessionId, userId }, select: { id: true } });
      if (!session) {
        throw new DomainError("NOT_FOUND", "SESSION_NOT_FOUND", "You have no session with that id (see the sessions query).");
      }
      await revokeWhere({ id: sessionId }, reason);
    },

    revokeAll(userId, reason, except) {
      return revokeWhere(except ? { userId, NOT: { id: except } } : { userId }, reason);
    },
  };

  async function refreshSession(presented: string, client: ClientInfo): Promise<IssuedTokens> {
    if (!looksLikeRefreshToken(presented)) throw INVALID();
    const now = clock();
    // Reads the user afresh with the token, so changed claims reach the new access token.
    const row = await findRefreshToken(db, hashRefreshToken(presented));
    if (!row || row.user.deletedAt !== null) throw INVALID();
    if (row.user.disabledAt !== null) throw accountDisabled();
    if (row.sessionRevokedAt !== null) throw INVALID();
    if (row.expiresAt <= now) {
      throw refreshError("REFRESH_TOKEN_EXPIRED", "The refresh token has expired; log in again.");
    }
    const successor = generateRefreshToken();
    const won = await rotateRefreshToken(db, {
      tokenId: row.id,
      sessionId: row.sessionId,
      successorHash: hashRefreshToken(successor),
      successorGeneration: row.generation + 1,
      now,
      expiresAt: refreshExpiry(now),
      userAgent: userAgentOf(client) ?? row.sessionUserAgent,
      ip: client.ip ?? row.sessionIp,
    });
    if (!won) await rejectReuse(row.id, row.sessionId, row.generation, now);
    return issue(row.user, row.sessionId, successor, now);
  }

  /**
   * The token was already exchanged. Just after a rotation that is a client racing itself
   * (two tabs refreshing at once) and does no harm; later, or for an older ancestor, someone
   * else holds a copy, so the whole family is revoked.
   */
  async function rejectReuse(tokenId: string, sessionId: string, generation: number, now: Date): Promise<never> {
    const [consumed, newest] = await Promise.all([
      db.refreshToken.findUnique({ where: { id: tokenId }, select: { consumedAt: true } }),
      db.refreshToken.findFirst({ where: { sessionId }, orderBy: { generation: "desc" }, select: { generation: true } }),
    ]);
    const sinceRotation = now.getTime() - (consumed?.consumedAt?.getTime() ?? 0);
    if (newest?.generation === generation + 1 && sinceRotation <= tokens.refreshReuseGraceSeconds * 1000) {
      throw refreshError(
        "REFRESH_TOKEN_ROTATED",
        "This refresh token was just exchanged by another request; use the refresh token that request received.",
      );
    }
    await revokeWhere({ id: sessionId }, "refresh_token_reuse");
    throw refreshError(
      "REFRESH_TOKEN_REUSED",
      "This refresh token was already used, so it may have been stolen: the whole session has been ended. Log in again.",
    );
  }
}

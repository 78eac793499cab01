import { readCredentialState } from "../db/credential-state.js";
import { randomUUID } from "node:crypto";
import type { TokenConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Prisma, User } from "../db/generated/client.js";
import { findRefreshToken, readRotationOutcome, rotateRefreshToken } from "../db/refresh-token-rotation.js";
import { DomainError } from "../domain/domain-error.js";
import { tokenClaimsOf } from "../domain/roles.js";
import { toUserView, type UserView } from "../domain/users.js";
import { signAccessToken } from "./access-token.js";
import { generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from "./refresh-token.js";
import { type AuthEventSink, discardAuthEvents } from "./auth-events.js";
import type { RevokedSessions } from "./revoked-sessions.js";
import type { KeyRing } from "./signing-keys.js";
import { openSuccessor, sealSuccessor } from "./successor-seal.js";

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
  | "password_reset"
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
  /**
   * Ends every session of a user (but `except`) and bumps the user's credential epoch in one
   * transaction, with any further writes of the same change; returns how many sessions ended.
   * A login or refresh still in flight cannot create a session afterwards (see start()).
   */
  revokeAll(userId: string, reason: RevocationReason, options?: RevokeAllOptions): Promise<number>;
}

export interface RevokeAllOptions {
  /** A session that stays (the one a password change came from). */
  except?: string | null;
  /** Further changes to the user row, made in the same transaction (a new password hash, disabledAt, …). */
  userData?: Prisma.UserUpdateInput;
  /** Further statements of the same change (an audit event, deleting posts, …), run in the same transaction. */
  alsoRun?: Prisma.PrismaPromise<unknown>[];
}

/** User agents are shown in session lists, not parsed: a bounded prefix is enough. */
const userAgentOf = (client: ClientInfo) => client.userAgent?.slice(0, 256) ?? null;

const refreshError = (reason: string, message: string) => new DomainError("UNAUTHENTICATED", reason, message);
const SESSION_EXPIRED = () =>
  refreshError("SESSION_EXPIRED", "This session reached its maximum age (SESSION_MAX_AGE) and has ended; log in again.");
const CREDENTIALS_CHANGED = () =>
  new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The email or password is incorrect.");
export const accountDisabled = () =>
  new DomainError("FORBIDDEN", "ACCOUNT_DISABLED", "This account is disabled; contact an administrator.");
const INVALID = () =>
  refreshError("REFRESH_TOKEN_INVALID", "The refresh token is not valid (unknown, or its session has ended); log in again.");

export function createSessionService(options: SessionServiceOptions): SessionService {
  const { db, tokens, clock, revoked } = options;
  const events = options.events ?? discardAuthEvents;

  /** Marks sessions revoked in the database and, at once, in this process's revocation list. */
  async function revokeWhere(where: Prisma.SessionWhereInput, reason: RevocationReason): Promise<number> {
    // One statement decides and returns what it ended: no session slips between a read and the write.
    const ended = await db.session.updateManyAndReturn({
      where: { ...where, revokedAt: null },
      data: { revokedAt: clock(), revokedReason: reason },
      select: { id: true },
    });
    return noteRevoked(ended, reason, typeof where.userId === "string" ? where.userId : null);
  }
  function noteRevoked(ended: { id: string }[], reason: RevocationReason, userId: string | null): number {
    if (ended.length === 0) return 0;
    revoked.add(ended.map((row) => row.id));
    events({ event: "sessions_revoked", userId, reason, count: ended.length });
    return ended.length;
  }
  /** A refresh token never outlives its session's absolute lifetime. */
  const refreshExpiry = (now: Date, sessionCreatedAt: Date) =>
    new Date(Math.min(now.getTime() + tokens.refreshTokenTtlSeconds * 1000, sessionCreatedAt.getTime() + tokens.sessionMaxAgeSeconds * 1000));

  async function issue(user: User, sessionId: string, refreshToken: string, now: Date): Promise<IssuedTokens> {
    const access = await signAccessToken({
      keys: options.keys,
      tokens,
      subject: user.id,
      sessionId,
      // The user's own claims expanded by their roles (role, roles, permissions), read now.
      claims: await tokenClaimsOf(db, user),
      claimsVersion: user.claimsVersion,
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
            expiresAt: refreshExpiry(now, now),
          },
          select: { id: true },
        }),
        db.refreshToken.create({
          data: { sessionId, tokenHash: hashRefreshToken(refreshToken), generation: 0, createdAt: now, expiresAt: refreshExpiry(now, now) },
          select: { id: true },
        }),
      ]);
      // Compare after insert: a password change, disable or delete that committed since `user` was
      // read bumped the epoch (and ended every session it saw), so this session must not live. If
      // it commits after this read, its own sweep ends this session. Either way no token escapes.
      // (A locking read on PostgreSQL, see readCredentialState: a plain one could miss a change in flight.)
      const current = await readCredentialState(db, user.id);
      if (!current || current.credentialEpoch !== user.credentialEpoch || current.disabledAt !== null || current.deletedAt !== null) {
        await revokeWhere({ id: sessionId }, current?.deletedAt ? "account_deleted" : current?.disabledAt ? "account_disabled" : "password_changed");
        throw current?.disabledAt && !current.deletedAt ? accountDisabled() : CREDENTIALS_CHANGED();
      }
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

    async revokeAll(userId, reason, revokeOptions = {}) {
      const { except, userData, alsoRun = [] } = revokeOptions;
      const results = await db.$transaction([
        db.user.update({ where: { id: userId }, data: { ...userData, credentialEpoch: { increment: 1 } }, select: { id: true } }),
        db.session.updateManyAndReturn({
          where: { userId, revokedAt: null, ...(except ? { NOT: { id: except } } : {}) },
          data: { revokedAt: clock(), revokedReason: reason },
          select: { id: true },
        }),
        ...alsoRun,
      ]);
      return noteRevoked(results[1] as { id: string }[], reason, userId);
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
    if (row.sessionCreatedAt.getTime() + tokens.sessionMaxAgeSeconds * 1000 <= now.getTime()) throw SESSION_EXPIRED();
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
      expiresAt: refreshExpiry(now, row.sessionCreatedAt),
      userAgent: userAgentOf(client) ?? row.sessionUserAgent,
      ip: client.ip ?? row.sessionIp,
      // With no grace period there are no retries, so nothing is kept.
      successorSealed: tokens.refreshReuseGraceSeconds > 0 ? sealSuccessor(presented, successor) : null,
    });
    if (!won) return retryOrReject(presented, row.id, row.sessionId, row.generation, client, (again) => issue(row.user, row.sessionId, again, now), now);
    return issue(row.user, row.sessionId, successor, now);
  }

  /**
   * The token was already exchanged (or its session ended meanwhile). Just after a rotation, from
   * the client the session last saw, that is a retry whose response was lost, or two tabs racing:
   * it receives the same successor again (sealed with the presented token), so exactly one
   * rotation happens and nobody is logged out. Just after a rotation from elsewhere it answers
   * REFRESH_TOKEN_ROTATED and revokes nothing. Later, or for an older ancestor, someone else holds
   * a copy, so the whole family is revoked.
   */
  async function retryOrReject(
    presented: string,
    tokenId: string,
    sessionId: string,
    generation: number,
    client: ClientInfo,
    reissue: (successor: string) => Promise<IssuedTokens>,
    now: Date,
  ): Promise<IssuedTokens> {
    const outcome = await readRotationOutcome(db, tokenId, sessionId);
    if (outcome.sessionRevoked) throw INVALID();
    const sinceRotation = now.getTime() - (outcome.consumedAt?.getTime() ?? 0);
    // With no grace period every reuse is theft, even one racing the rotation (sinceRotation 0).
    const justRotated =
      tokens.refreshReuseGraceSeconds > 0 && outcome.newestGeneration === generation + 1 && sinceRotation <= tokens.refreshReuseGraceSeconds * 1000;
    if (justRotated) {
      const sameClient = (client.ip ?? null) === outcome.sessionIp && userAgentOf(client) === outcome.sessionUserAgent;
      const successor = sameClient && !outcome.newestConsumed && outcome.successorSealed ? openSuccessor(presented, outcome.successorSealed) : null;
      if (successor) return reissue(successor);
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

import type { Prisma } from "../db/generated/client.js";
import { refreshTokenInvalid, sessionNotFound } from "./session-errors.js";
import { hashRefreshToken, looksLikeRefreshToken } from "./refresh-token.js";
import type { RevocationReason, SessionContext } from "./session-types.js";

export interface RevokeAllOptions {
  /** A session that stays (the one a password change came from). */
  except?: string | null;
  /** Further changes to the user row, made in the same transaction (a new password hash, disabledAt, …). */
  userData?: Prisma.UserUpdateInput;
  /** Further statements of the same change (an audit event, deleting posts, …), run in the same transaction. */
  alsoRun?: Prisma.PrismaPromise<unknown>[];
}

export interface SessionRevocation {
  /** Ends the sessions `where` selects; returns how many ended. */
  revokeWhere(where: Prisma.SessionWhereInput, reason: RevocationReason): Promise<number>;
  logout(refreshToken: string): Promise<void>;
  revoke(userId: string, sessionId: string, reason: RevocationReason): Promise<void>;
  revokeAll(userId: string, reason: RevocationReason, options?: RevokeAllOptions): Promise<number>;
}

/**
 * Ending sessions: in the database and, at once, in this process's revocation list, so access
 * tokens of an ended session stop working here without waiting for the next sync.
 */
export function createSessionRevocation(context: SessionContext): SessionRevocation {
  const { db, clock, revoked, events } = context;

  function noteRevoked(ended: { id: string }[], reason: RevocationReason, userId: string | null): number {
    if (ended.length === 0) return 0;
    revoked.add(ended.map((row) => row.id));
    events({ event: "sessions_revoked", userId, reason, count: ended.length });
    return ended.length;
  }

  async function revokeWhere(where: Prisma.SessionWhereInput, reason: RevocationReason): Promise<number> {
    // One statement decides and returns what it ended: no session slips between a read and the write.
    const ended = await db.session.updateManyAndReturn({
      where: { ...where, revokedAt: null },
      data: { revokedAt: clock(), revokedReason: reason },
      select: { id: true },
    });
    return noteRevoked(ended, reason, typeof where.userId === "string" ? where.userId : null);
  }

  return {
    revokeWhere,

    async logout(presented) {
      if (!looksLikeRefreshToken(presented)) throw refreshTokenInvalid();
      const row = await db.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(presented) } });
      if (!row) throw refreshTokenInvalid();
      await revokeWhere({ id: row.sessionId }, "logout");
      events({ event: "logout", sessionId: row.sessionId });
    },

    async revoke(userId, sessionId, reason) {
      const session = await db.session.findFirst({ where: { id: sessionId, userId }, select: { id: true } });
      if (!session) throw sessionNotFound();
      await revokeWhere({ id: sessionId }, reason);
    },

    async revokeAll(userId, reason, options = {}) {
      const { except, userData, alsoRun = [] } = options;
      const now = clock();
      // Disabling or deleting ends the account itself, not only its sessions: what is cached about
      // it elsewhere (a linked provider subject's account state) must go too. A claims version bump
      // in the same transaction carries that to this process (noted below) and to every other
      // (PostgreSQL's trigger, or the claims sync) by the same path as a claim change.
      const endsAccount = reason === "account_disabled" || reason === "account_deleted";
      const results = await db.$transaction([
        db.user.update({
          where: { id: userId },
          data: { ...userData, credentialEpoch: { increment: 1 }, ...(endsAccount ? { claimsVersion: { increment: 1 }, claimsChangedAt: now } : {}) },
          select: { id: true, claimsVersion: true },
        }),
        db.session.updateManyAndReturn({
          where: { userId, revokedAt: null, ...(except ? { NOT: { id: except } } : {}) },
          data: { revokedAt: now, revokedReason: reason },
          select: { id: true },
        }),
        ...alsoRun,
      ]);
      if (endsAccount) revoked.noteClaimsChanged(userId, (results[0] as { claimsVersion: number }).claimsVersion);
      return noteRevoked(results[1] as { id: string }[], reason, userId);
    },
  };
}

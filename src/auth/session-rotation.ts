import { findRefreshToken, rotateRefreshToken } from "../db/refresh-token-rotation.js";
import { generateRefreshToken, hashRefreshToken, looksLikeRefreshToken } from "./refresh-token.js";
import type { ReuseDetector } from "./refresh-reuse.js";
import { accountDisabled, refreshTokenExpired, refreshTokenInvalid, sessionExpired } from "./session-errors.js";
import type { SessionIssuer } from "./session-issuer.js";
import { refreshExpiry, userAgentOf } from "./session-lifetime.js";
import type { ClientInfo, IssuedTokens, SessionContext } from "./session-types.js";
import { sealSuccessor } from "./successor-seal.js";

/** Consumes a refresh token and issues its successor with the user's current claims. */
export type SessionRotation = (presented: string, client: ClientInfo) => Promise<IssuedTokens>;

export function createSessionRotation(context: SessionContext, issuer: Pick<SessionIssuer, "issue">, onLost: ReuseDetector): SessionRotation {
  const { db, tokens, clock } = context;
  return async (presented, client) => {
    if (!looksLikeRefreshToken(presented)) throw refreshTokenInvalid();
    const now = clock();
    // Reads the user afresh with the token, so changed claims reach the new access token.
    const row = await findRefreshToken(db, hashRefreshToken(presented));
    if (!row || row.user.deletedAt !== null) throw refreshTokenInvalid();
    if (row.user.disabledAt !== null) throw accountDisabled();
    if (row.sessionRevokedAt !== null) throw refreshTokenInvalid();
    if (row.sessionCreatedAt.getTime() + tokens.sessionMaxAgeSeconds * 1000 <= now.getTime()) throw sessionExpired();
    if (row.expiresAt <= now) throw refreshTokenExpired();
    const successor = generateRefreshToken();
    // One atomic step decides the winner (see rotateRefreshToken); everything else follows from it.
    const won = await rotateRefreshToken(db, {
      tokenId: row.id,
      sessionId: row.sessionId,
      successorHash: hashRefreshToken(successor),
      successorGeneration: row.generation + 1,
      now,
      expiresAt: refreshExpiry(tokens, now, row.sessionCreatedAt),
      userAgent: userAgentOf(client) ?? row.sessionUserAgent,
      ip: client.ip ?? row.sessionIp,
      // With no grace period there are no retries, so nothing is kept.
      successorSealed: tokens.refreshReuseGraceSeconds > 0 ? sealSuccessor(presented, successor) : null,
    });
    if (!won) {
      return onLost({
        presented,
        tokenId: row.id,
        sessionId: row.sessionId,
        generation: row.generation,
        client,
        now,
        reissue: (again) => issuer.issue(row.user, row.sessionId, again, now),
      });
    }
    return issuer.issue(row.user, row.sessionId, successor, now);
  };
}

import { readRotationOutcome } from "../db/refresh-token-rotation.js";
import { refreshTokenInvalid, refreshTokenReused, refreshTokenRotated } from "./session-errors.js";
import { userAgentOf } from "./session-lifetime.js";
import type { SessionRevocation } from "./session-revocation.js";
import type { ClientInfo, IssuedTokens, SessionContext } from "./session-types.js";
import { openSuccessor } from "./successor-seal.js";

/** A refresh token presented again after it was exchanged (or whose session ended meanwhile). */
export interface LostRotation {
  readonly presented: string;
  readonly tokenId: string;
  readonly sessionId: string;
  readonly generation: number;
  readonly client: ClientInfo;
  readonly now: Date;
  /** Issues tokens for the same successor again (a retry whose response was lost). */
  readonly reissue: (successor: string) => Promise<IssuedTokens>;
}

export type ReuseDetector = (lost: LostRotation) => Promise<IssuedTokens>;

/**
 * Just after a rotation, from the client the session last saw, a second use is a retry whose
 * response was lost, or two tabs racing: it receives the same successor again (sealed with the
 * presented token), so exactly one rotation happens and nobody is logged out. Just after a
 * rotation from elsewhere it answers REFRESH_TOKEN_ROTATED and revokes nothing. Later, or for an
 * older ancestor, someone else holds a copy, so the whole family is revoked.
 */
export function createReuseDetector(context: SessionContext, revocation: Pick<SessionRevocation, "revokeWhere">): ReuseDetector {
  const { db, tokens } = context;
  return async ({ presented, tokenId, sessionId, generation, client, now, reissue }) => {
    const outcome = await readRotationOutcome(db, tokenId, sessionId);
    if (outcome.sessionRevoked) throw refreshTokenInvalid();
    const sinceRotation = now.getTime() - (outcome.consumedAt?.getTime() ?? 0);
    // With no grace period every reuse is theft, even one racing the rotation (sinceRotation 0).
    const justRotated =
      tokens.refreshReuseGraceSeconds > 0 && outcome.newestGeneration === generation + 1 && sinceRotation <= tokens.refreshReuseGraceSeconds * 1000;
    if (justRotated) {
      const sameClient = (client.ip ?? null) === outcome.sessionIp && userAgentOf(client) === outcome.sessionUserAgent;
      const successor = sameClient && !outcome.newestConsumed && outcome.successorSealed ? openSuccessor(presented, outcome.successorSealed) : null;
      if (successor) return reissue(successor);
      throw refreshTokenRotated();
    }
    await revocation.revokeWhere({ id: sessionId }, "refresh_token_reuse");
    throw refreshTokenReused();
  };
}

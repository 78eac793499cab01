import { randomUUID } from "node:crypto";
import type { User } from "../db/generated/client.js";
import { insertSession, readCredentialState } from "../db/session-start.js";
import { tokenClaimsOf } from "../domain/roles.js";
import { toUserView } from "../domain/users.js";
import { signAccessToken } from "./access-token.js";
import { generateRefreshToken, hashRefreshToken } from "./refresh-token.js";
import { accountDisabled, credentialsChanged } from "./session-errors.js";
import { refreshExpiry, userAgentOf } from "./session-lifetime.js";
import type { SessionRevocation } from "./session-revocation.js";
import type { ClientInfo, IssuedTokens, SessionContext } from "./session-types.js";

export interface SessionIssuer {
  /** Starts a session (a refresh-token family) for a user who just proved who they are. */
  start(user: User, client: ClientInfo): Promise<IssuedTokens>;
  /** An access token with the user's current claims, next to the session's refresh token. */
  issue(user: User, sessionId: string, refreshToken: string, now: Date): Promise<IssuedTokens>;
}

export function createSessionIssuer(context: SessionContext, revocation: Pick<SessionRevocation, "revokeWhere">): SessionIssuer {
  const { db, tokens, clock } = context;

  async function issue(user: User, sessionId: string, refreshToken: string, now: Date): Promise<IssuedTokens> {
    const access = await signAccessToken({
      keys: context.keys,
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
    issue,

    async start(user, client) {
      const now = clock();
      const refreshToken = generateRefreshToken();
      const sessionId = randomUUID();
      const expiresAt = refreshExpiry(tokens, now, now);
      await insertSession(db, {
        sessionId,
        userId: user.id,
        userAgent: userAgentOf(client),
        ip: client.ip ?? null,
        now,
        expiresAt,
        tokenHash: hashRefreshToken(refreshToken),
      });
      // Compare after the insert has committed: a password change, disable or delete that
      // committed since `user` was read bumped the epoch (and ended every session it saw), so
      // this session must not live. If it commits after this read, its own sweep ends this
      // session. Either way no token escapes.
      const current = await readCredentialState(db, user.id);
      if (!current || current.credentialEpoch !== user.credentialEpoch || current.disabledAt !== null || current.deletedAt !== null) {
        await revocation.revokeWhere({ id: sessionId }, current?.deletedAt ? "account_deleted" : current?.disabledAt ? "account_disabled" : "password_changed");
        throw current?.disabledAt && !current.deletedAt ? accountDisabled() : credentialsChanged();
      }
      return issue(user, sessionId, refreshToken, now);
    },
  };
}

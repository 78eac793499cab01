import { randomUUID } from "node:crypto";
import type { User } from "../db/generated/client.js";
import { startSession } from "../db/session-start.js";
import type { HeldCounter } from "../db/throttle-reservation.js";
import { tokenClaimsOf } from "../domain/roles.js";
import { toUserView } from "../domain/users.js";
import { signAccessToken } from "./access-token.js";
import { generateRefreshToken, hashRefreshToken } from "./refresh-token.js";
import { accountDisabled, credentialsChanged } from "./session-errors.js";
import { refreshExpiry, userAgentOf } from "./session-lifetime.js";
import type { ClientInfo, IssuedTokens, SessionContext } from "./session-types.js";

/** A session's tokens made but not yet valid: nothing is written until start() (see prepare()). */
export interface PreparedSession {
  readonly tokens: IssuedTokens;
  readonly now: Date;
  readonly expiresAt: Date;
}

export interface StartOptions {
  /** From prepare(user, …) of the same user, e.g. made while the password was being verified. */
  prepared?: Promise<PreparedSession>;
  /**
   * A login's throttle reservation, given back in the same transaction as the session starts
   * (whether or not it starts); told so with givenBack() once that transaction has committed.
   */
  releasing?: { readonly counters: readonly HeldCounter[]; givenBack(): void };
}

export interface SessionIssuer {
  /**
   * Everything a session start needs that writes nothing: its ids, its first refresh token, and
   * an access token with the user's claims (read now). A login makes it while Argon2id runs on the
   * thread pool; the tokens mean nothing until start() has inserted the session.
   */
  prepare(user: User, client: ClientInfo): Promise<PreparedSession>;
  /** Starts a session (a refresh-token family) for a user who just proved who they are. */
  start(user: User, client: ClientInfo, options?: StartOptions): Promise<IssuedTokens>;
  /** An access token with the user's current claims, next to the session's refresh token. */
  issue(user: User, sessionId: string, refreshToken: string, now: Date): Promise<IssuedTokens>;
}

export function createSessionIssuer(context: SessionContext): SessionIssuer {
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

  async function prepare(user: User): Promise<PreparedSession> {
    const now = clock();
    return { tokens: await issue(user, randomUUID(), generateRefreshToken(), now), now, expiresAt: refreshExpiry(tokens, now, now) };
  }

  return {
    issue,
    prepare,

    async start(user, client, options = {}) {
      const { tokens: issued, now, expiresAt } = await (options.prepared ?? prepare(user));
      // Inserted only if the user still has the epoch read with the checked password, and is
      // neither disabled nor deleted (see startSession): a password change, disable or delete
      // racing this start wins, and no token of it ever works.
      const outcome = await startSession(db, {
        sessionId: issued.sessionId,
        userId: user.id,
        userAgent: userAgentOf(client),
        ip: client.ip ?? null,
        now,
        expiresAt,
        tokenHash: hashRefreshToken(issued.refreshToken),
        credentialEpoch: user.credentialEpoch,
        ...(options.releasing ? { releasing: options.releasing.counters } : {}),
      });
      options.releasing?.givenBack();
      if (!outcome.started) {
        const { state } = outcome;
        throw state?.disabledAt && !state.deletedAt ? accountDisabled() : credentialsChanged();
      }
      return issued;
    },
  };
}

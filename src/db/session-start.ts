import { randomUUID } from "node:crypto";
import { type CredentialState, credentialStateOf } from "./credential-state.js";
import { isPostgres, type Database } from "./database.js";
import { directSql, sql } from "./direct-sql.js";
import { startSessionOnPostgres } from "./postgres-session-start.js";
import { type HeldCounter, releaseCountersIn } from "./throttle-reservation.js";

export interface StartSessionOptions {
  sessionId: string;
  userId: string;
  userAgent: string | null;
  ip: string | null;
  now: Date;
  expiresAt: Date;
  /** SHA-256 of the session's first refresh token. */
  tokenHash: string;
  /** The credential epoch the caller read with the password hash it checked. */
  credentialEpoch: number;
  /** Login attempts to give back in the same step (the password was right); given back even when the session is refused. */
  releasing?: readonly HeldCounter[];
}

/** Started, or refused with the user's state as it is now (null: no such user). */
export type SessionStart = { readonly started: true } | { readonly started: false; readonly state: CredentialState | null };

/**
 * A new session and its first refresh token (generation 0), inserted only if the user still has
 * the credential epoch the caller read and is neither disabled nor deleted, in one transaction
 * (one statement on PostgreSQL) with the release of the login's throttle reservation. A password
 * change, disable or delete bumps the epoch before it ends the user's sessions, in its own
 * transaction: either it committed before this check (the check sees the new epoch and inserts
 * nothing) or it ends the session inserted here. SQLite runs this alone (BEGIN IMMEDIATE); on
 * PostgreSQL the user row is read FOR SHARE, which waits for a change in flight and then sees it.
 */
export async function startSession(db: Database, options: StartSessionOptions): Promise<SessionStart> {
  if (isPostgres(db)) return startSessionOnPostgres(db, options);
  const { sessionId, now, expiresAt } = options;
  return (await directSql(db)).transaction(async (tx) => {
    if (options.releasing) await releaseCountersIn(tx, options.releasing);
    const [row] = await tx.rows(sql`SELECT "credentialEpoch", "disabledAt", "deletedAt" FROM "User" WHERE "id" = ${options.userId}`);
    const state = row ? credentialStateOf(row) : null;
    if (!state || state.credentialEpoch !== options.credentialEpoch || state.disabledAt !== null || state.deletedAt !== null) return { started: false, state };
    await tx.execute(sql`
      INSERT INTO "Session" ("id", "userId", "userAgent", "ip", "createdAt", "lastUsedAt", "expiresAt")
      VALUES (${sessionId}, ${options.userId}, ${options.userAgent}, ${options.ip}, ${now}, ${now}, ${expiresAt})`);
    await tx.execute(sql`
      INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "generation", "createdAt", "expiresAt")
      VALUES (${randomUUID()}, ${sessionId}, ${options.tokenHash}, ${0}, ${now}, ${expiresAt})`);
    return { started: true };
  });
}

export type { CredentialState } from "./credential-state.js";

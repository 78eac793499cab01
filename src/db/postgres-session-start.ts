import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import { directSql, readInt, sql } from "./direct-sql.js";
import { credentialStateOf } from "./credential-state.js";
import type { SessionStart, StartSessionOptions } from "./session-start.js";
import { heldCounters, releaseHeldCounters } from "./postgres-throttle-reservation.js";

/**
 * startSession (session-start.ts) in ONE statement, one round trip: the login's counters given
 * back, the user row read FOR SHARE (a password change, disable or delete in flight holds it: the
 * read waits for that to commit and then returns the row as committed, so a stale epoch is seen),
 * and the session and its first refresh token inserted only from a row that still matches.
 * Data-modifying WITH parts always run to completion, so the counters are given back whether or not
 * the session starts. The counters are given back through INSERT … ON CONFLICT in their slot
 * order, the order a reservation locks them in (postgres-throttle-reservation.ts), so two logins
 * never wait for each other's counters crosswise; an absent counter (cleared meanwhile) is left
 * absent.
 */
export async function startSessionOnPostgres(db: Database, options: StartSessionOptions): Promise<SessionStart> {
  const { sessionId, userId, now, expiresAt } = options;
  const [row] = await (await directSql(db)).rows(sql`
    WITH ${heldCounters(options.releasing ?? [])}, released AS (
      ${releaseHeldCounters(sql`${now}`)}
      RETURNING 1
    ), current AS (
      SELECT "id", "credentialEpoch", "disabledAt", "deletedAt" FROM "User" WHERE "id" = ${userId} FOR SHARE
    ), session AS (
      INSERT INTO "Session" ("id", "userId", "userAgent", "ip", "createdAt", "lastUsedAt", "expiresAt")
      SELECT ${sessionId}, "id", ${options.userAgent}, ${options.ip}, ${now}, ${now}, ${expiresAt} FROM current
      WHERE "credentialEpoch" = ${options.credentialEpoch} AND "disabledAt" IS NULL AND "deletedAt" IS NULL
      RETURNING "id"
    ), token AS (
      INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "generation", "createdAt", "expiresAt")
      SELECT ${randomUUID()}, "id", ${options.tokenHash}, 0, ${now}, ${expiresAt} FROM session
      RETURNING 1
    )
    SELECT "credentialEpoch", "disabledAt", "deletedAt", (SELECT count(*) FROM token)::int AS "started", (SELECT count(*) FROM released)::int AS "released"
    FROM current`);
  if (row && readInt(row["started"]) === 1) return { started: true };
  return { started: false, state: row ? credentialStateOf(row) : null };
}

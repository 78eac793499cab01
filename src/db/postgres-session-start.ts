import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import { directSql, readInt, sql } from "./direct-sql.js";
import { credentialStateOf } from "./credential-state.js";
import type { SessionStart, StartSessionOptions } from "./session-start.js";
import { heldCounterSlots } from "./postgres-throttle-reservation.js";

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
  const [c1, c2, c3] = heldCounterSlots(options.releasing ?? []);
  const [row] = await (await directSql(db)).rows(sql`
    WITH held ("key", "limit", "windowStart", "slot") AS (
      VALUES (${c1.key}::text, ${c1.limit}::int, ${c1.windowStart}::timestamp(3), 1), (${c2.key}::text, ${c2.limit}::int, ${c2.windowStart}::timestamp(3), 2),
             (${c3.key}::text, ${c3.limit}::int, ${c3.windowStart}::timestamp(3), 3)
    ), released AS (
      INSERT INTO "LoginThrottle" AS t ("key", "failures", "windowStart", "lockedUntil")
      SELECT h."key", 0, ${now}, NULL FROM held h
      WHERE h."key" IS NOT NULL AND EXISTS (SELECT 1 FROM "LoginThrottle" e WHERE e."key" = h."key")
      ORDER BY h."slot"
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = t."failures" - 1,
        "inFlight" = GREATEST(t."inFlight" - 1, 0),
        "lockedUntil" = CASE WHEN t."failures" - 1 >= (SELECT h2."limit" FROM held h2 WHERE h2."key" = t."key") THEN t."lockedUntil" ELSE NULL END
      WHERE t."failures" > 0 AND t."windowStart" = COALESCE((SELECT h2."windowStart" FROM held h2 WHERE h2."key" = t."key"), t."windowStart")
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

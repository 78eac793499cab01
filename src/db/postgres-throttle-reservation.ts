import { type CounterRefusal, refusalOf } from "./counter-refusal.js";
import type { Database } from "./database.js";
import { directSql, readInt, readOptionalDate, sql, type SqlStatement } from "./direct-sql.js";
import type { User } from "./generated/client.js";
import type { CounterRule, HeldCounter, ReservedFinding } from "./throttle-reservation.js";
import { userFromRow } from "./user-row.js";

/** A login reserves on at most this many counters (IP, account+IP, account or device): the statements below have a slot for each. */
export const MAX_COUNTERS = 3;

type Slot<T> = { [K in keyof T]: T[K] | null };

function slots<T extends object>(counters: readonly T[], empty: Slot<T>): [Slot<T>, Slot<T>, Slot<T>] {
  if (counters.length > MAX_COUNTERS) throw new Error(`at most ${MAX_COUNTERS} throttle counters at once (got ${counters.length})`);
  return [counters[0] ?? empty, counters[1] ?? empty, counters[2] ?? empty];
}

/** The counters a statement gives back, in slot order, padded with empty slots (null keys match nothing). */
const heldCounterSlots = (counters: readonly HeldCounter[]) =>
  slots<Required<HeldCounter>>(
    counters.map((counter) => ({ key: counter.key, limit: counter.limit, windowStart: counter.windowStart ?? null })),
    { key: null, limit: null, windowStart: null },
  );

/**
 * reserveCounters (throttle-reservation.ts) in ONE statement: INSERT … ON CONFLICT DO UPDATE
 * locks each counter row in slot order (so concurrent reservations never wait crosswise) and
 * computes its next state from the row as last committed, with the rules of attempt-state.ts
 * written in SQL (a test holds the two to the same answers): a locked counter is left alone, a
 * window run out starts afresh, the reservation reaching the limit locks the counter, each one
 * after that for twice as long, up to the maximum; a counter tracking checks in flight counts this
 * one in, and of several locked counters the refusal names the first whose lock stands on
 * failed attempts, or else the first that is only busy (refusalOf, counter-refusal.ts). Nothing is read first and nothing can be lost
 * to a concurrent writer, so there is no retry loop and 50 concurrent guesses are decided one
 * after another on the row locks.
 *
 * All or none: when a counter is already locked (the usual refusal) nothing is written. When one
 * got locked by a concurrent reservation after this statement's snapshot, the counters this one
 * did reserve are given back (as a right password gives them back) and the refusal stands.
 *
 * With `findUserByEmail` the same statement also reads the user with that (normalised) email, as
 * user-by-email.ts does: a login needs both before Argon2id, and one round trip costs less than
 * two side by side.
 */
export async function reserveCountersOnPostgres(
  db: Database,
  counters: readonly CounterRule[],
  now: Date,
  options: { findUserByEmail?: string } = {},
): Promise<ReservedFinding> {
  const empty = { key: null, limit: null, windowSeconds: null, lockSeconds: null, maxLockSeconds: null, tracksInFlight: null, step: null };
  // "step": what a reservation adds to the checks in flight (1 for counters tracking them).
  const [a, b, c] = slots(
    counters.map((counter) => ({ ...counter, step: counter.tracksInFlight ? 1 : 0 })),
    empty,
  );
  const direct = await directSql(db);
  const [row] = await direct.rows(sql`
    WITH wanted ("key", "limit", "windowSeconds", "lockSeconds", "maxLockSeconds", "step", "slot") AS (
      VALUES (${a.key}::text, ${a.limit}::int, ${a.windowSeconds}::int, ${a.lockSeconds}::int, ${a.maxLockSeconds}::int, ${a.step}::int, 1),
             (${b.key}::text, ${b.limit}::int, ${b.windowSeconds}::int, ${b.lockSeconds}::int, ${b.maxLockSeconds}::int, ${b.step}::int, 2),
             (${c.key}::text, ${c.limit}::int, ${c.windowSeconds}::int, ${c.lockSeconds}::int, ${c.maxLockSeconds}::int, ${c.step}::int, 3)
    ), at ("now") AS (
      SELECT ${now}::timestamp(3)
    ), blocked AS (
      SELECT l."lockedUntil", CASE WHEN w."step" = 1 AND l."failures" - l."inFlight" < w."limit" THEN 1 ELSE 0 END AS "busy"
      FROM "LoginThrottle" l JOIN wanted w ON w."key" = l."key", at
      WHERE l."lockedUntil" > at."now" ORDER BY 2, w."slot" LIMIT 1
    ), reserved AS (
      INSERT INTO "LoginThrottle" AS t ("key", "failures", "inFlight", "windowStart", "lockedUntil")
      SELECT w."key", 1, w."step", at."now",
             CASE WHEN 1 >= w."limit" THEN at."now" + make_interval(secs => LEAST(w."maxLockSeconds", w."lockSeconds" * power(2, LEAST(30, 1 - w."limit")))) END
      FROM wanted w, at
      WHERE w."key" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blocked)
      ORDER BY w."slot"
      ON CONFLICT ("key") DO UPDATE SET ("failures", "inFlight", "windowStart", "lockedUntil") = (
        SELECT n."failures", n."inFlight", n."windowStart",
               CASE WHEN n."failures" >= w."limit"
                    THEN at."now" + make_interval(secs => LEAST(w."maxLockSeconds", w."lockSeconds" * power(2, LEAST(30, n."failures" - w."limit"))))
               END
        FROM wanted w, at, LATERAL (
          SELECT CASE WHEN t."windowStart" <= at."now" - make_interval(secs => w."windowSeconds") THEN 1 ELSE t."failures" + 1 END AS "failures",
                 CASE WHEN t."windowStart" <= at."now" - make_interval(secs => w."windowSeconds") THEN 0 ELSE t."inFlight" END + w."step" AS "inFlight",
                 CASE WHEN t."windowStart" <= at."now" - make_interval(secs => w."windowSeconds") THEN at."now" ELSE t."windowStart" END AS "windowStart"
        ) n
        WHERE w."key" = t."key")
      WHERE t."lockedUntil" IS NULL OR t."lockedUntil" <= (SELECT "now" FROM at)
      RETURNING t."key", t."windowStart"
    ), found AS (
      SELECT u."id" AS "userId", u."email", u."passwordHash", u."claims", u."disabledAt", u."deletedAt", u."emailVerifiedAt",
             u."credentialEpoch", u."claimsVersion", u."claimsChangedAt", u."createdAt" AS "userCreatedAt", u."updatedAt" AS "userUpdatedAt"
      FROM "User" u WHERE u."email" = ${options.findUserByEmail ?? null}::text
    )
    SELECT (SELECT count(*) FROM reserved)::int AS "granted", (SELECT "lockedUntil" FROM blocked) AS "lockedUntil", (SELECT "busy" FROM blocked) AS "busy",
           (SELECT string_agg("key", chr(10)) FROM reserved) AS "keys",
           (SELECT r."windowStart" FROM reserved r WHERE r."key" = ${a.key}::text) AS "windowStart1",
           (SELECT r."windowStart" FROM reserved r WHERE r."key" = ${b.key}::text) AS "windowStart2",
           (SELECT r."windowStart" FROM reserved r WHERE r."key" = ${c.key}::text) AS "windowStart3", found.*
    FROM (SELECT 1) AS "one" LEFT JOIN found ON true`);
  const user: User | null = row && row["userId"] != null ? userFromRow(row) : null;
  // The window each counter counted this reservation in: ending it touches that window only (HeldCounter.windowStart).
  const windowStarts = counters.map((_, index) => readOptionalDate(row?.[`windowStart${index + 1}`]));
  if (readInt(row?.["granted"]) === counters.length) return { reservation: { granted: true, windowStarts: windowStarts.map((start) => start ?? now) }, user };
  const blockedUntil = readOptionalDate(row?.["lockedUntil"]);
  if (blockedUntil) {
    const busy = readInt(row?.["busy"]) === 1;
    return { reservation: { granted: false, retryAfterSeconds: busy ? BUSY_RETRY_SECONDS : retryAfter(blockedUntil, now), busy }, user };
  }
  // Lost to a concurrent reservation that locked a counter after this statement's snapshot.
  const granted = new Set(((row?.["keys"] as string | null) ?? "").split("\n"));
  const refused = counters.filter((counter) => !granted.has(counter.key));
  await releaseCountersOnPostgres(
    db,
    counters.flatMap((counter, index) => (granted.has(counter.key) ? [{ key: counter.key, limit: counter.limit, windowStart: windowStarts[index] ?? null }] : [])),
  );
  const locked = await direct.rows(sql`
    SELECT "key", "failures", "inFlight", "lockedUntil" FROM "LoginThrottle" WHERE "key" IN (${refused[0]?.key ?? null}, ${refused[1]?.key ?? null}, ${refused[2]?.key ?? null})`);
  const refusals = refused.map((counter): CounterRefusal => {
    const found = locked.find((lockedRow) => lockedRow["key"] === counter.key);
    const until = readOptionalDate(found?.["lockedUntil"]);
    // Unlocked again by now (a right password given back): worth a retry at once.
    if (!found || !until || until <= now) return { granted: false, retryAfterSeconds: BUSY_RETRY_SECONDS, busy: true };
    const busy = counter.tracksInFlight && readInt(found["failures"]) - readInt(found["inFlight"]) < counter.limit;
    return { granted: false, retryAfterSeconds: busy ? BUSY_RETRY_SECONDS : retryAfter(until, now), busy };
  });
  return { reservation: refusalOf(refusals) ?? { granted: false, retryAfterSeconds: BUSY_RETRY_SECONDS, busy: true }, user };
}

/** A refusal for checks still running: they take milliseconds (attempt-state.ts says the same). */
const BUSY_RETRY_SECONDS = 1;

const retryAfter = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

/** The counters a login holds, as the CTE `held` (key, limit, window, slot) the fragment below reads. */
export function heldCounters(counters: readonly HeldCounter[]): SqlStatement {
  const [c1, c2, c3] = heldCounterSlots(counters);
  return sql`held ("key", "limit", "windowStart", "slot") AS (
      VALUES (${c1.key}::text, ${c1.limit}::int, ${c1.windowStart}::timestamp(3), 1), (${c2.key}::text, ${c2.limit}::int, ${c2.windowStart}::timestamp(3), 2),
             (${c3.key}::text, ${c3.limit}::int, ${c3.windowStart}::timestamp(3), 3)
    )`;
}

/**
 * releaseCounters (throttle-reservation.ts) as one INSERT … ON CONFLICT over the CTE `held`
 * (heldCounters): each counter decremented unless at zero (its checks in flight too, down to
 * zero), its lock lifted when that takes it below its limit, only in the window it was counted in.
 * In slot order, the order reservations lock counters in; a counter cleared meanwhile stays
 * absent (`windowStart` is what a row recreated by a race with that clearing would start with).
 * Used alone (releaseCountersOnPostgres) and inside the one-statement session start
 * (postgres-session-start.ts).
 */
export function releaseHeldCounters(windowStart: SqlStatement): SqlStatement {
  return sql`INSERT INTO "LoginThrottle" AS t ("key", "failures", "windowStart", "lockedUntil")
      SELECT h."key", 0, ${windowStart}, NULL FROM held h
      WHERE h."key" IS NOT NULL AND EXISTS (SELECT 1 FROM "LoginThrottle" e WHERE e."key" = h."key")
      ORDER BY h."slot"
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = t."failures" - 1,
        "inFlight" = GREATEST(t."inFlight" - 1, 0),
        "lockedUntil" = CASE WHEN t."failures" - 1 >= (SELECT h2."limit" FROM held h2 WHERE h2."key" = t."key") THEN t."lockedUntil" ELSE NULL END
      WHERE t."failures" > 0 AND t."windowStart" = COALESCE((SELECT h2."windowStart" FROM held h2 WHERE h2."key" = t."key"), t."windowStart")`;
}

/** releaseCounters (throttle-reservation.ts) in one statement (releaseHeldCounters). */
export async function releaseCountersOnPostgres(db: Database, counters: readonly HeldCounter[]): Promise<void> {
  if (counters.length === 0) return;
  await (await directSql(db)).execute(sql`WITH ${heldCounters(counters)} ${releaseHeldCounters(sql`CURRENT_TIMESTAMP`)}`);
}

/**
 * settleCounters (throttle-reservation.ts) in one statement: each counter's checks in flight
 * decremented unless at zero; the count and the lock stay. In slot order, through INSERT … ON
 * CONFLICT, like releaseCountersOnPostgres; a counter cleared meanwhile stays absent.
 */
export async function settleCountersOnPostgres(db: Database, counters: readonly HeldCounter[]): Promise<void> {
  if (counters.length === 0) return;
  const [c1, c2, c3] = heldCounterSlots(counters);
  await (await directSql(db)).execute(sql`
    WITH held ("key", "windowStart", "slot") AS (
      VALUES (${c1.key}::text, ${c1.windowStart}::timestamp(3), 1), (${c2.key}::text, ${c2.windowStart}::timestamp(3), 2), (${c3.key}::text, ${c3.windowStart}::timestamp(3), 3)
    )
    INSERT INTO "LoginThrottle" AS t ("key", "failures", "windowStart", "lockedUntil")
    SELECT h."key", 0, CURRENT_TIMESTAMP, NULL FROM held h
    WHERE h."key" IS NOT NULL AND EXISTS (SELECT 1 FROM "LoginThrottle" e WHERE e."key" = h."key")
    ORDER BY h."slot"
    ON CONFLICT ("key") DO UPDATE SET "inFlight" = t."inFlight" - 1
    WHERE t."inFlight" > 0 AND t."windowStart" = COALESCE((SELECT h2."windowStart" FROM held h2 WHERE h2."key" = t."key"), t."windowStart")`);
}

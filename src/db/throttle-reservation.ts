import { type CounterRefusal, refusalOf } from "./counter-refusal.js";
import { isPostgres, type Database } from "./database.js";
import { releaseCountersOnPostgres, reserveCountersOnPostgres, settleCountersOnPostgres } from "./postgres-throttle-reservation.js";
import { directSql, readDate, readInt, readOptionalDate, type SqlSession, sql } from "./direct-sql.js";
import type { User } from "./generated/client.js";
import { findUserByEmail } from "./user-by-email.js";

/** A row of the LoginThrottle table: one attempt counter. */
export interface CounterState {
  readonly failures: number;
  /** Of `failures`, the reservations whose check is still running (see attempt-state.ts). */
  readonly inFlight: number;
  readonly windowStart: Date;
  readonly lockedUntil: Date | null;
}

export type CounterDecision = { readonly granted: true; readonly next: CounterState } | CounterRefusal;

/** Granted: `windowStarts[i]` is the start of the window counters[i] counted it in (see HeldCounter.windowStart). */
export type CountersReservation = { readonly granted: true; readonly windowStarts: readonly Date[] } | CounterRefusal;

export type { CounterRefusal } from "./counter-refusal.js";

/** After this many lost compare-and-set rounds a reservation is refused rather than spun on. */
export const MAX_ROUNDS = 200;

/** A concurrent writer changed a counter between this transaction's read and its write. */
class LostRace extends Error {}

/** A counter is locked: the transaction rolls back and nothing is reserved. */
class Refused extends Error {
  constructor(readonly refusal: CounterRefusal) {
    super("refused");
  }
}

/** A counter and the rules it follows (attempt-state.ts), as data: PostgreSQL applies them in SQL. */
export interface CounterRule {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;
  readonly maxLockSeconds: number;
  readonly tracksInFlight: boolean;
}

/**
 * Reserves an attempt on every counter in `counters`, all or none, before any password is
 * checked. On SQLite: one transaction on the writer, which runs alone (BEGIN IMMEDIATE); each
 * counter is read, `decide` works out its next state (the pure rules of attempt-state.ts), and it
 * is written back only if it is still what was read (compare-and-set; an absent counter is
 * inserted only if still absent). The first refusal rolls the whole transaction back, so the
 * counters already granted in it cost nothing. On PostgreSQL: one statement applying the same
 * rules under row locks (postgres-throttle-reservation.ts). Either way, N concurrent reservations
 * are decided one after another, in every process sharing the database.
 */
export async function reserveCounters(
  db: Database,
  counters: readonly CounterRule[],
  now: Date,
  decide: (index: number, state: CounterState | null) => CounterDecision,
): Promise<CountersReservation> {
  if (isPostgres(db)) return (await reserveCountersOnPostgres(db, counters, now)).reservation;
  const direct = await directSql(db);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      return await direct.transaction(async (tx) => {
        // Every counter decided before any is written: a refusal names the counter that matters (refusalOf).
        const decided: { key: string; seen: CounterState | null; decision: CounterDecision }[] = [];
        for (let index = 0; index < counters.length; index++) {
          const key = counters[index]!.key;
          const seen = await readCounter(tx, key);
          decided.push({ key, seen, decision: decide(index, seen) });
        }
        const refusal = refusalOf(decided.flatMap(({ decision }) => (decision.granted ? [] : [decision])));
        if (refusal) throw new Refused(refusal);
        for (const { key, seen, decision } of decided) {
          if (decision.granted && !(await writeCounter(tx, key, seen, decision.next))) throw new LostRace();
        }
        return { granted: true, windowStarts: decided.map(({ decision }) => (decision.granted ? decision.next.windowStart : now)) };
      });
    } catch (error) {
      if (error instanceof LostRace) continue;
      if (error instanceof Refused) return error.refusal;
      throw error;
    }
  }
  // Spun out by writers changing these counters all the time: busy in the plain sense.
  return { granted: false, retryAfterSeconds: 1, busy: true };
}

/** A reservation, and the user read in the same step (null: no user has the email). */
export interface ReservedFinding {
  readonly reservation: CountersReservation;
  readonly user: User | null;
}

/**
 * reserveCounters, and the user with this (normalised) email as findUserByEmail reads it: a
 * login's first step. One statement on PostgreSQL; on SQLite the two side by side.
 */
export async function reserveCountersFindingUser(
  db: Database,
  counters: readonly CounterRule[],
  now: Date,
  decide: (index: number, state: CounterState | null) => CounterDecision,
  email: string,
): Promise<ReservedFinding> {
  if (isPostgres(db)) return reserveCountersOnPostgres(db, counters, now, { findUserByEmail: email });
  const [user, reservation] = await Promise.all([findUserByEmail(db, email), reserveCounters(db, counters, now, decide)]);
  return { reservation, user };
}

async function readCounter(tx: SqlSession, key: string): Promise<CounterState | null> {
  const [row] = await tx.rows(sql`SELECT "failures", "inFlight", "windowStart", "lockedUntil" FROM "LoginThrottle" WHERE "key" = ${key}`);
  if (!row) return null;
  return {
    failures: readInt(row["failures"]),
    inFlight: readInt(row["inFlight"]),
    windowStart: readDate(row["windowStart"]),
    lockedUntil: readOptionalDate(row["lockedUntil"]),
  };
}

async function writeCounter(tx: SqlSession, key: string, seen: CounterState | null, next: CounterState): Promise<boolean> {
  const { failures, inFlight, windowStart, lockedUntil } = next;
  if (seen === null) {
    const inserted = await tx.rows(sql`
      INSERT INTO "LoginThrottle" ("key", "failures", "inFlight", "windowStart", "lockedUntil") VALUES (${key}, ${failures}, ${inFlight}, ${windowStart}, ${lockedUntil})
      ON CONFLICT ("key") DO NOTHING
      RETURNING "key"`);
    return inserted.length === 1;
  }
  // Two texts rather than `= $n OR $n IS NULL`: PostgreSQL cannot type a parameter seen only in IS NULL.
  const written =
    seen.lockedUntil === null
      ? await tx.rows(sql`
          UPDATE "LoginThrottle" SET "failures" = ${failures}, "inFlight" = ${inFlight}, "windowStart" = ${windowStart}, "lockedUntil" = ${lockedUntil}
          WHERE "key" = ${key} AND "failures" = ${seen.failures} AND "inFlight" = ${seen.inFlight} AND "windowStart" = ${seen.windowStart} AND "lockedUntil" IS NULL
          RETURNING "key"`)
      : await tx.rows(sql`
          UPDATE "LoginThrottle" SET "failures" = ${failures}, "inFlight" = ${inFlight}, "windowStart" = ${windowStart}, "lockedUntil" = ${lockedUntil}
          WHERE "key" = ${key} AND "failures" = ${seen.failures} AND "inFlight" = ${seen.inFlight} AND "windowStart" = ${seen.windowStart} AND "lockedUntil" = ${seen.lockedUntil}
          RETURNING "key"`);
  return written.length === 1;
}

/** A reserved attempt on one counter, as giving it back needs it. */
export interface HeldCounter {
  readonly key: string;
  /** The counter's limit: giving back below it lifts the lock the reservation set. */
  readonly limit: number;
  /**
   * The start of the window the reservation was counted in (CountersReservation.windowStarts).
   * A counter whose window started afresh while the check ran (its window ran out and a new guess
   * started another, or it was cleared and counted anew) holds counts that are not this
   * reservation's: giving back or settling leaves it alone. Without it, the counter's current
   * window is taken.
   */
  readonly windowStart?: Date | null;
}

/**
 * Gives reservations back (a password that turned out right), in one transaction: a decrement
 * (of the count and of the checks in flight) needs no read, and SQL evaluates the lock condition
 * on each row as it is when written, so a counter that other attempts pushed to its limit
 * meanwhile stays locked. A login gives them back in its session start's transaction instead
 * (session-start.ts).
 */
export async function releaseCounters(db: Database, counters: readonly HeldCounter[]): Promise<void> {
  if (counters.length === 0) return;
  if (isPostgres(db)) return releaseCountersOnPostgres(db, counters);
  await (await directSql(db)).transaction((tx) => releaseCountersIn(tx, counters));
}

/** The decrements of releaseCounters, inside a transaction the caller runs. */
export async function releaseCountersIn(tx: SqlSession, counters: readonly HeldCounter[]): Promise<void> {
  for (const { key, limit, windowStart } of counters) {
    await tx.execute(sql`
      UPDATE "LoginThrottle"
      SET "failures" = "failures" - 1,
          "inFlight" = CASE WHEN "inFlight" > 0 THEN "inFlight" - 1 ELSE 0 END,
          "lockedUntil" = CASE WHEN "failures" - 1 >= ${limit} THEN "lockedUntil" ELSE NULL END
      WHERE "key" = ${key} AND "failures" > 0 AND ("windowStart" = ${windowStart ?? null} OR ${windowStart ? 0 : 1} = 1)`);
  }
}

/**
 * Settles reservations whose check ended without giving them back (a wrong password, a disabled
 * account, an error): they stay counted as failures and are no longer in flight, so a lock they
 * reached is from now on refused as a lock, not as busy. One transaction of decrements on
 * SQLite, one statement on PostgreSQL. A counter already at zero in flight (its window started
 * afresh meanwhile) or cleared stays as it is.
 */
export async function settleCounters(db: Database, counters: readonly HeldCounter[]): Promise<void> {
  if (counters.length === 0) return;
  if (isPostgres(db)) return settleCountersOnPostgres(db, counters);
  await (await directSql(db)).transaction(async (tx) => {
    for (const { key, windowStart } of counters) {
      await tx.execute(sql`
        UPDATE "LoginThrottle" SET "inFlight" = "inFlight" - 1
        WHERE "key" = ${key} AND "inFlight" > 0 AND ("windowStart" = ${windowStart ?? null} OR ${windowStart ? 0 : 1} = 1)`);
    }
  });
}

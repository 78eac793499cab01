import type { Database } from "../db/database.js";
import { type AttemptPolicy, type AttemptState, reserveAttempt } from "./attempt-state.js";

/** After this many lost compare-and-set rounds a reservation is refused rather than spun on. */
const MAX_ROUNDS = 200;

export type CounterReservation = { granted: true } | { granted: false; retryAfterSeconds: number };

/**
 * Attempt counters in the database (the LoginThrottle table), changed only by compare-and-set:
 * read the row, work out the next state with the pure rules, write it only if the row is still
 * what was read. A writer that lost the race reads again, so N concurrent reservations are
 * decided one after another, in every process sharing the database.
 */
export class AttemptCounter {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async reserve(key: string, policy: AttemptPolicy, now: Date): Promise<CounterReservation> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const row = await this.#read(key);
      const decision = reserveAttempt(row, policy, now);
      if (!decision.granted) return decision;
      if (await this.#write(key, row, decision.next)) return { granted: true };
    }
    return { granted: false, retryAfterSeconds: 1 };
  }

  /**
   * Gives a reservation back (see releaseAttempt) in one conditional statement: a decrement needs
   * no read, and SQL evaluates the lock condition on the row as it is when written.
   */
  async release(key: string, policy: AttemptPolicy): Promise<void> {
    await this.#db.$executeRaw`
      UPDATE "LoginThrottle"
      SET "failures" = "failures" - 1,
          "lockedUntil" = CASE WHEN "failures" - 1 >= ${policy.limit} THEN "lockedUntil" ELSE NULL END
      WHERE "key" = ${key} AND "failures" > 0`;
  }

  /** Forgets counters (an administrator unlocking an account); returns how many had reservations on record. */
  async clear(keys: { equals?: string[]; startsWith?: string[] }): Promise<number> {
    const where = [
      ...(keys.equals ?? []).map((key) => ({ key })),
      ...(keys.startsWith ?? []).map((prefix) => ({ key: { startsWith: prefix } })),
    ];
    if (where.length === 0) return 0;
    // Counters given back to zero by successful logins hold nothing: they go too, uncounted.
    const { count } = await this.#db.loginThrottle.deleteMany({ where: { OR: where, failures: { gt: 0 } } });
    await this.#db.loginThrottle.deleteMany({ where: { OR: where } });
    return count;
  }

  #read(key: string): Promise<AttemptState | null> {
    return this.#db.loginThrottle.findUnique({ where: { key }, select: { failures: true, windowStart: true, lockedUntil: true } });
  }

  async #write(key: string, seen: AttemptState | null, next: AttemptState): Promise<boolean> {
    if (seen === null) {
      // Absent: whoever inserts first wins; the others go round again and see the row.
      try {
        await this.#db.loginThrottle.create({ data: { key, ...next }, select: { key: true } });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return false;
        throw error;
      }
    }
    const { count } = await this.#db.loginThrottle.updateMany({
      where: { key, failures: seen.failures, windowStart: seen.windowStart, lockedUntil: seen.lockedUntil },
      data: next,
    });
    return count === 1;
  }
}

import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import { type CounterRule, type HeldCounter, releaseCounters, reserveCounters, reserveCountersFindingUser, settleCounters } from "../db/throttle-reservation.js";
import { type AttemptPolicy, type AttemptState, reserveAttempt } from "./attempt-state.js";

/** Refused with `busy` when every lock in the way stands only on checks still running (see attempt-state.ts). */
export type CounterReservation = { granted: true; windowStarts: readonly Date[] } | { granted: false; retryAfterSeconds: number; busy: boolean };

/** One attempt counter and the rules it follows. */
export interface CounterSlot {
  readonly key: string;
  readonly policy: AttemptPolicy;
}

/**
 * Attempt counters in the database (the LoginThrottle table), changed only by compare-and-set
 * with the pure rules of attempt-state.ts (see throttle-reservation.ts): several counters are
 * reserved together, all or none, so N concurrent reservations are decided one
 * after another, in every process sharing the database.
 */
export class AttemptCounter {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Reserves an attempt on every slot, or on none (then says how long the first locked one stays locked, or that it is only busy). */
  reserve(slots: readonly CounterSlot[], now: Date): Promise<CounterReservation> {
    return reserveCounters(this.#db, rulesOf(slots), now, decideBy(slots, now));
  }

  /** reserve(), and the user with this (normalised) email read in the same step (see reserveCountersFindingUser). */
  reserveFindingUser(slots: readonly CounterSlot[], now: Date, email: string): Promise<{ reservation: CounterReservation; user: User | null }> {
    return reserveCountersFindingUser(this.#db, rulesOf(slots), now, decideBy(slots, now), email);
  }

  /**
   * Gives reservations back (see releaseCounters) in one transaction of conditional decrements;
   * with the reservation's `windowStarts`, only in the windows it was counted in.
   */
  release(slots: readonly CounterSlot[], windowStarts?: readonly Date[]): Promise<void> {
    return releaseCounters(this.#db, heldCountersOf(slots, windowStarts));
  }

  /** Ends reservations' checks without giving them back: they stay counted as failures (see settleCounters; `windowStarts` as for release). */
  settle(slots: readonly CounterSlot[], windowStarts?: readonly Date[]): Promise<void> {
    return settleCounters(this.#db, heldCountersOf(slots, windowStarts));
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
}

/** What giving reservations back (or settling them) needs of each slot; `windowStarts` keeps them to the windows they were counted in. */
export const heldCountersOf = (slots: readonly CounterSlot[], windowStarts?: readonly Date[]): HeldCounter[] =>
  slots.map((slot, index) => ({ key: slot.key, limit: slot.policy.limit, windowStart: windowStarts?.[index] ?? null }));

const rulesOf = (slots: readonly CounterSlot[]): CounterRule[] => slots.map((slot) => ({ key: slot.key, ...slot.policy }));
const decideBy = (slots: readonly CounterSlot[], now: Date) => (index: number, state: AttemptState | null) => reserveAttempt(state, slots[index]!.policy, now);

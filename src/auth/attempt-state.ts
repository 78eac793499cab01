/**
 * The pure rules of an attempt counter (login failures, registrations per IP, …): what a
 * reservation does to a counter's state. The database layer applies the result with a
 * compare-and-set, so the rules hold however many requests race. Giving back a reservation whose
 * password was right, or settling one whose check ended otherwise, is one SQL decrement
 * (AttemptCounter.release, AttemptCounter.settle).
 */

export interface AttemptState {
  /** Reserved attempts in the current window: in flight, or used up by a failure. */
  readonly failures: number;
  /**
   * Of `failures`, those whose check is still running (counters with `tracksInFlight` only; 0
   * otherwise). `failures - inFlight` are the attempts that really failed.
   */
  readonly inFlight: number;
  readonly windowStart: Date;
  /** While in the future, every reservation is refused. */
  readonly lockedUntil: Date | null;
}

export interface AttemptPolicy {
  /** Reservations allowed per window before the counter locks. */
  readonly limit: number;
  /** Counts older than this are forgotten (once any lock has run out). */
  readonly windowSeconds: number;
  /**
   * How long to lock once the reservation reaching the limit was granted; doubled with each further
   * reservation (a lock run out, then another guess), up to `maxLockSeconds`. Plain numbers, not a
   * function: PostgreSQL applies the same rule inside one statement (postgres-throttle-reservation.ts).
   */
  readonly lockSeconds: number;
  readonly maxLockSeconds: number;
  /**
   * Each reservation is followed by a check (a login's password) and then given back (right) or
   * settled (anything else): until then it counts as in flight, and a lock that stands only
   * because of checks still running is refused as busy, for a second. False for counters whose
   * reservations are used up at once (registrations, mails): they are never busy.
   */
  readonly tracksInFlight: boolean;
}

/** Refused: `busy` when the lock stands only on checks still running (retry in a second), else a lock for failed attempts. */
export type Refusal = { readonly granted: false; readonly retryAfterSeconds: number; readonly busy: boolean };

export type Reservation = { readonly granted: true; readonly next: AttemptState } | Refusal;

/** How long a refusal for checks still running asks the client to wait: they take milliseconds. */
export const BUSY_RETRY_SECONDS = 1;

/**
 * Grants a reservation unless the counter is locked. The reservation that reaches the limit locks
 * the counter at once (before its own check has even run), so concurrent requests are refused
 * rather than checked; once a lock runs out, one more reservation is granted and locks it again
 * (for longer, as the policy says).
 *
 * A refusal is `busy` while the attempts that really failed (`failures - inFlight`) are still
 * below the limit: the lock stands only because checks are running, and it is lifted in
 * milliseconds if they turn out right. Once they fail, the same lock is refused as what it is.
 */
export function reserveAttempt(state: AttemptState | null, policy: AttemptPolicy, now: Date): Reservation {
  const at = now.getTime();
  if (state?.lockedUntil && state.lockedUntil.getTime() > at) {
    if (policy.tracksInFlight && state.failures - state.inFlight < policy.limit) return { granted: false, retryAfterSeconds: BUSY_RETRY_SECONDS, busy: true };
    return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil((state.lockedUntil.getTime() - at) / 1000)), busy: false };
  }
  const fresh = state === null || state.windowStart.getTime() <= at - policy.windowSeconds * 1000;
  const failures = fresh ? 1 : state.failures + 1;
  // A fresh window forgets the old one's checks too: one left in flight by a crashed process
  // costs no more than its window (see LoginReservation.settle).
  const inFlight = (fresh ? 0 : state.inFlight) + (policy.tracksInFlight ? 1 : 0);
  const windowStart = fresh ? now : state.windowStart;
  const lockedUntil = failures >= policy.limit ? new Date(at + lockSecondsAfter(policy, failures) * 1000) : null;
  return { granted: true, next: { failures, inFlight, windowStart, lockedUntil } };
}

/** How long reservation number `failures` (>= limit) locks the counter: `lockSeconds` at the limit, doubled with each further one, up to `maxLockSeconds`. */
export function lockSecondsAfter(policy: AttemptPolicy, failures: number): number {
  return Math.min(policy.maxLockSeconds, policy.lockSeconds * 2 ** Math.min(30, failures - policy.limit));
}

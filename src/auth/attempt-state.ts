/**
 * The pure rules of an attempt counter (login failures, registrations per IP, …): what a
 * reservation does to a counter's state. The database layer applies the result with a
 * compare-and-set, so the rules hold however many requests race. Giving back a reservation whose
 * password was right is one SQL decrement (AttemptCounter.release).
 */

export interface AttemptState {
  /** Reserved attempts in the current window: in flight, or used up by a failure. */
  readonly failures: number;
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
}

export type Reservation =
  | { readonly granted: true; readonly next: AttemptState }
  | { readonly granted: false; readonly retryAfterSeconds: number };

/**
 * Grants a reservation unless the counter is locked. The reservation that reaches the limit locks
 * the counter at once (before its own check has even run), so concurrent requests are refused
 * rather than checked; once a lock runs out, one more reservation is granted and locks it again
 * (for longer, as the policy says).
 */
export function reserveAttempt(state: AttemptState | null, policy: AttemptPolicy, now: Date): Reservation {
  const at = now.getTime();
  if (state?.lockedUntil && state.lockedUntil.getTime() > at) {
    return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil((state.lockedUntil.getTime() - at) / 1000)) };
  }
  const fresh = state === null || state.windowStart.getTime() <= at - policy.windowSeconds * 1000;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStart = fresh ? now : state.windowStart;
  const lockedUntil = failures >= policy.limit ? new Date(at + lockSecondsAfter(policy, failures) * 1000) : null;
  return { granted: true, next: { failures, windowStart, lockedUntil } };
}

/** How long reservation number `failures` (>= limit) locks the counter: `lockSeconds` at the limit, doubled with each further one, up to `maxLockSeconds`. */
export function lockSecondsAfter(policy: AttemptPolicy, failures: number): number {
  return Math.min(policy.maxLockSeconds, policy.lockSeconds * 2 ** Math.min(30, failures - policy.limit));
}

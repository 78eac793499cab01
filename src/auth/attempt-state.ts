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
  /** How long to lock once reservation number `failures` (>= limit) was granted. */
  lockSeconds(failures: number): number;
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
  const lockedUntil = failures >= policy.limit ? new Date(at + policy.lockSeconds(failures) * 1000) : null;
  return { granted: true, next: { failures, windowStart, lockedUntil } };
}

/** Login locks: `lockSeconds` at the limit, doubled with each further reservation, up to `maxLockSeconds`. */
export function doublingLock(options: { limit: number; lockSeconds: number; maxLockSeconds: number }): (failures: number) => number {
  return (failures) => Math.min(options.maxLockSeconds, options.lockSeconds * 2 ** Math.min(30, failures - options.limit));
}

/** A counter refused a reservation: `busy` when its lock stands only on checks still running (see attempt-state.ts). */
export type CounterRefusal = { readonly granted: false; readonly retryAfterSeconds: number; readonly busy: boolean };

/**
 * Which of several counters' refusals a reservation answers with: the first lock for failed
 * attempts in slot order, or, when every locked counter is only busy, the first busy one. A
 * client told "busy" retries in a second; it must not be sent back for a lock that stands anyway.
 * PostgreSQL's statement orders its locked counters the same way (postgres-throttle-reservation.ts).
 */
export function refusalOf(refusals: readonly CounterRefusal[]): CounterRefusal | undefined {
  return refusals.find((refusal) => !refusal.busy) ?? refusals[0];
}

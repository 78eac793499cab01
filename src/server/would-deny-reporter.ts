import type { WouldDenyEvent, WouldDenyListener } from "../authz/would-deny.js";
import type { Logger } from "./logger.js";

export interface WouldDenyReporter {
  readonly listener: WouldDenyListener;
  /** Would-deny counts by coordinate, for /metrics. */
  counts(): ReadonlyMap<string, number>;
}

/** Logs `authorization_would_deny` for every `enforce: false` rule that did not hold, and counts them. */
export function createWouldDenyReporter(logger: Logger): WouldDenyReporter {
  const counts = new Map<string, number>();
  const listener: WouldDenyListener = (event: WouldDenyEvent, context: unknown) => {
    counts.set(event.coordinate, (counts.get(event.coordinate) ?? 0) + 1);
    const requestId = (context as { requestId?: unknown } | null)?.requestId;
    logger.info(
      {
        event: "authorization_would_deny",
        requestId,
        subject: event.subject,
        coordinate: event.coordinate,
        kind: event.kind,
        requiredClaims: event.requiredClaims,
        ...(event.requiredAnyOf ? { requiredAnyOf: event.requiredAnyOf } : {}),
      },
      "authorization would deny (rule not enforced)",
    );
  };
  return { listener, counts: () => counts };
}

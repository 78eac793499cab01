/** A rule with `enforce: false` that would have denied: reported, never enforced. */
export interface WouldDenyEvent {
  /** "Type.field", "Type" (object-level), "Type.field(arg:)" or "Input.field". */
  readonly coordinate: string;
  readonly kind: "field" | "object" | "argument" | "input-field";
  /** The caller's sub claim, when there is one. */
  readonly subject: string | undefined;
  readonly requiredClaims: readonly string[];
  readonly requiredAnyOf?: readonly (readonly string[])[];
}

/** Receives would-deny events with the request's context (for its request id, logger, counters). */
export type WouldDenyListener = (event: WouldDenyEvent, context: unknown) => void;

/**
 * A change another process made that this one must act on at once, as carried by a database
 * notification. The payloads are short and positional so a burst of logouts stays far below
 * PostgreSQL's 8000-byte payload limit and costs no JSON parsing on the hot path.
 */
export type DatabaseChange =
  | { readonly kind: "session_ended"; readonly sessionId: string }
  | { readonly kind: "claims_changed"; readonly userId: string; readonly version: number }
  | { readonly kind: "roles_changed" }
  | { readonly kind: "post_published"; readonly postId: string };

/** The channel every claimgate process listens on. */
export const CHANGE_CHANNEL = "claimgate_changes";

/** Reads a notification payload; undefined for one this version does not know (a newer process may send more kinds). */
export function parseDatabaseChange(payload: string): DatabaseChange | undefined {
  const tag = payload.slice(0, 2);
  const rest = payload.slice(2);
  switch (tag) {
    case "s:":
      return rest ? { kind: "session_ended", sessionId: rest } : undefined;
    case "p:":
      return rest ? { kind: "post_published", postId: rest } : undefined;
    case "c:": {
      const colon = rest.lastIndexOf(":");
      const userId = rest.slice(0, colon);
      const digits = rest.slice(colon + 1);
      const version = Number(digits);
      return colon > 0 && /^\d+$/.test(digits) && Number.isSafeInteger(version) ? { kind: "claims_changed", userId, version } : undefined;
    }
    default:
      return payload === "r" ? { kind: "roles_changed" } : undefined;
  }
}

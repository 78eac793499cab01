import { randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";
import type { AuditEvent as AuditRow } from "../db/generated/client.js";
import { badInput } from "./domain-error.js";

/** Who made a change: an administrator over the API, the command line, the account owner, or the system. */
export interface AuditActor {
  readonly kind: "admin" | "cli" | "user" | "system";
  /** The acting user's id; null for the command line and the system. */
  readonly id: string | null;
}

export type AuditAction =
  | "claims_changed"
  | "account_disabled"
  | "account_enabled"
  | "account_deleted"
  | "sessions_revoked"
  | "password_changed"
  | "password_reset"
  | "email_verified"
  | "account_unlocked"
  | "role_created"
  | "role_changed"
  | "role_deleted"
  | "role_granted"
  | "role_revoked";

export interface AuditEntry {
  readonly actor: AuditActor;
  readonly action: AuditAction;
  readonly targetUserId: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly at: Date;
}

/** An audit event as administrators read it. */
export interface AuditEventView {
  readonly id: string;
  readonly at: Date;
  readonly actorKind: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetUserId: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

let lastMs = 0;
let sequence = 0;
/**
 * Ids that sort in the order this process wrote them (the wall clock's milliseconds, then a
 * counter), so events with the same `at` (a frozen clock, or one millisecond) list in order.
 */
function sortableId(): string {
  const ms = Date.now();
  sequence = ms === lastMs ? sequence + 1 : 0;
  lastMs = ms;
  return `${ms.toString(36).padStart(9, "0")}-${sequence.toString(36).padStart(4, "0")}-${randomBytes(6).toString("hex")}`;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The write of one audit event, as a statement to run in the same transaction as the change it records. */
export function auditWrite(db: Pick<Database, "auditEvent">, entry: AuditEntry) {
  return db.auditEvent.create({
    data: {
      id: sortableId(),
      at: entry.at,
      actorKind: entry.actor.kind,
      actorId: entry.actor.id,
      action: entry.action,
      targetUserId: entry.targetUserId,
      before: json(entry.before),
      after: json(entry.after),
    },
    select: { id: true },
  });
}

export const MAX_AUDIT_PAGE = 500;

/** The newest audit events first, optionally about one user. */
export async function listAuditEvents(db: Database, options: { first: number; userId?: string | null }): Promise<AuditEventView[]> {
  if (!Number.isInteger(options.first) || options.first < 1 || options.first > MAX_AUDIT_PAGE) {
    throw badInput("INVALID_PAGE_SIZE", `first must be between 1 and ${MAX_AUDIT_PAGE} (got ${options.first}).`, { field: "first" });
  }
  const rows: AuditRow[] = await db.auditEvent.findMany({
    where: options.userId ? { targetUserId: options.userId } : {},
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: options.first,
  });
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actorKind: row.actorKind,
    actorId: row.actorId,
    action: row.action,
    targetUserId: row.targetUserId,
    before: parse(row.before),
    after: parse(row.after),
  }));
}

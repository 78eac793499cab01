import { isPostgres, type Database } from "./database.js";
import { directSql, readInt, readOptionalDate, sql } from "./direct-sql.js";

/** What decides whether a user's new session may live: read after the session was inserted. */
export interface CredentialState {
  readonly credentialEpoch: number;
  readonly disabledAt: Date | null;
  readonly deletedAt: Date | null;
}

/**
 * The user's credential epoch and status, read so that a password change, disable or delete in
 * flight is either seen or sees the caller's earlier writes (login's check after it inserted its
 * session). SQLite has one writer at a time, so a plain read suffices. PostgreSQL's plain read
 * would not wait for an uncommitted change (whose sweep may have missed the new session): FOR
 * SHARE waits for it to commit and then returns the row as it committed.
 */
export async function readCredentialState(db: Database, userId: string): Promise<CredentialState | null> {
  const direct = await directSql(db);
  const [row] = isPostgres(db)
    ? await direct.rows(sql`SELECT "credentialEpoch", "disabledAt", "deletedAt" FROM "User" WHERE "id" = ${userId} FOR SHARE`)
    : await direct.rows(sql`SELECT "credentialEpoch", "disabledAt", "deletedAt" FROM "User" WHERE "id" = ${userId}`);
  return row ? credentialStateOf(row) : null;
}

export const credentialStateOf = (row: Readonly<Record<string, unknown>>): CredentialState => ({
  credentialEpoch: readInt(row["credentialEpoch"]),
  disabledAt: readOptionalDate(row["disabledAt"]),
  deletedAt: readOptionalDate(row["deletedAt"]),
});

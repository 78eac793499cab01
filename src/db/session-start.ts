import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import { directSql, sql } from "./direct-sql.js";

export interface InsertSessionOptions {
  sessionId: string;
  userId: string;
  userAgent: string | null;
  ip: string | null;
  now: Date;
  expiresAt: Date;
  /** SHA-256 of the session's first refresh token. */
  tokenHash: string;
}

/** A new session and its first refresh token (generation 0), in one transaction. */
export async function insertSession(db: Database, options: InsertSessionOptions): Promise<void> {
  const { sessionId, now, expiresAt } = options;
  await (await directSql(db)).transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO "Session" ("id", "userId", "userAgent", "ip", "createdAt", "lastUsedAt", "expiresAt")
      VALUES (${sessionId}, ${options.userId}, ${options.userAgent}, ${options.ip}, ${now}, ${now}, ${expiresAt})`);
    await tx.execute(sql`
      INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "generation", "createdAt", "expiresAt")
      VALUES (${randomUUID()}, ${sessionId}, ${options.tokenHash}, ${0}, ${now}, ${expiresAt})`);
  });
}

export { readCredentialState, type CredentialState } from "./credential-state.js";

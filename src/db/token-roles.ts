import type { Database } from "./database.js";
import { directSql, sql } from "./direct-sql.js";

export interface TokenRoleRow {
  readonly name: string;
  /** JSON array of permission names, as stored. */
  readonly permissions: string;
  /** JSON object of further claims, as stored. */
  readonly claims: string;
}

/**
 * The roles granted to a user (in grant order) and the one the user's own `role` claim names, in
 * one statement: it runs on every login and refresh, so it goes straight to the driver adapter
 * (see direct-sql.ts).
 */
export async function findTokenRoles(db: Database, userId: string, primaryName: string | null): Promise<TokenRoleRow[]> {
  const rows = await (await directSql(db)).rows(sql`
    SELECT r."name", r."permissions", r."claims"
    FROM "Role" r LEFT JOIN "UserRole" ur ON ur."roleId" = r."id" AND ur."userId" = ${userId}
    WHERE ur."userId" IS NOT NULL OR r."name" = ${primaryName}
    ORDER BY ur."grantedAt", r."name"`);
  return rows as unknown as TokenRoleRow[];
}

import type { Database } from "./database.js";
import { directSql, sql } from "./direct-sql.js";
import type { User } from "./generated/client.js";
import { userFromRow } from "./user-row.js";

/** The user with this (normalised) email, read at every login straight through the driver adapter. */
export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
  const [row] = await (await directSql(db)).rows(sql`
    SELECT u."id" AS "userId", u."email", u."passwordHash", u."claims", u."disabledAt", u."deletedAt", u."emailVerifiedAt",
           u."credentialEpoch", u."claimsVersion", u."claimsChangedAt", u."createdAt" AS "userCreatedAt", u."updatedAt" AS "userUpdatedAt"
    FROM "User" u WHERE u."email" = ${email}`);
  return row ? userFromRow(row) : null;
}

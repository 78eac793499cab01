import { readDate, readInt, readOptionalDate, type SqlRow } from "./direct-sql.js";
import type { User } from "./generated/client.js";

/**
 * A User read by a direct statement (see direct-sql.ts), whose select list names the user's
 * columns as u."id" AS "userId", u."createdAt" AS "userCreatedAt", u."updatedAt" AS
 * "userUpdatedAt" and every other column by its own name, so it can share a row with other tables.
 */
export function userFromRow(row: SqlRow): User {
  return {
    id: row["userId"] as string,
    email: row["email"] as string,
    passwordHash: row["passwordHash"] as string,
    claims: row["claims"] as string,
    disabledAt: readOptionalDate(row["disabledAt"]),
    deletedAt: readOptionalDate(row["deletedAt"]),
    emailVerifiedAt: readOptionalDate(row["emailVerifiedAt"]),
    credentialEpoch: readInt(row["credentialEpoch"]),
    claimsVersion: readInt(row["claimsVersion"]),
    claimsChangedAt: readOptionalDate(row["claimsChangedAt"]),
    createdAt: readDate(row["userCreatedAt"]),
    updatedAt: readDate(row["userUpdatedAt"]),
  };
}

import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import type { RefreshTokenRow, RotateRefreshTokenOptions } from "./refresh-token-rotation.js";

/**
 * The refresh hot path's two statements in PostgreSQL's dialect: identifiers quoted (unquoted
 * ones are folded to lower case), Dates as parameters.
 */

const date = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
const optionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : date(value));

/** The token with its session and the session's user, read in one query. */
export async function findRefreshTokenOnPostgres(db: Database, tokenHash: string): Promise<RefreshTokenRow | null> {
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT t."id", t."generation", t."expiresAt", t."sessionId",
           s."revokedAt" AS "sessionRevokedAt", s."createdAt" AS "sessionCreatedAt", s."userAgent" AS "sessionUserAgent", s."ip" AS "sessionIp",
           u."id" AS "userId", u."email", u."passwordHash", u."claims", u."disabledAt", u."deletedAt", u."emailVerifiedAt",
           u."credentialEpoch", u."claimsVersion", u."claimsChangedAt", u."createdAt" AS "userCreatedAt", u."updatedAt" AS "userUpdatedAt"
    FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId" JOIN "User" u ON u."id" = s."userId"
    WHERE t."tokenHash" = ${tokenHash}`;
  const row = rows[0];
  if (!row) return null;
  return {
    id: row["id"] as string,
    generation: Number(row["generation"]),
    expiresAt: date(row["expiresAt"]),
    sessionId: row["sessionId"] as string,
    sessionRevokedAt: optionalDate(row["sessionRevokedAt"]),
    sessionCreatedAt: date(row["sessionCreatedAt"]),
    sessionUserAgent: (row["sessionUserAgent"] as string | null) ?? null,
    sessionIp: (row["sessionIp"] as string | null) ?? null,
    user: {
      id: row["userId"] as string,
      email: row["email"] as string,
      passwordHash: row["passwordHash"] as string,
      claims: row["claims"] as string,
      disabledAt: optionalDate(row["disabledAt"]),
      deletedAt: optionalDate(row["deletedAt"]),
      emailVerifiedAt: optionalDate(row["emailVerifiedAt"]),
      credentialEpoch: Number(row["credentialEpoch"]),
      claimsVersion: Number(row["claimsVersion"]),
      claimsChangedAt: optionalDate(row["claimsChangedAt"]),
      createdAt: date(row["userCreatedAt"]),
      updatedAt: date(row["userUpdatedAt"]),
    },
  };
}

/**
 * Consumes the token and issues its successor in ONE statement. The conditional UPDATE takes the
 * token's row lock; a concurrent rotation of the same token waits for it, and under READ
 * COMMITTED re-checks `"consumedAt" IS NULL` on the committed row, so it matches nothing and its
 * INSERT and Session update (fed only by the rows the UPDATE returned) do nothing: exactly one
 * winner per token, and none once the session has ended. Returns whether this call won.
 */
export async function rotateRefreshTokenOnPostgres(db: Database, options: RotateRefreshTokenOptions): Promise<boolean> {
  const rows = await db.$queryRaw<{ won: number }[]>`
    WITH consumed AS (
      UPDATE "RefreshToken" SET "consumedAt" = ${options.now}, "successorSealed" = ${options.successorSealed}
      WHERE "id" = ${options.tokenId} AND "consumedAt" IS NULL
        AND EXISTS (SELECT 1 FROM "Session" WHERE "id" = ${options.sessionId} AND "revokedAt" IS NULL)
      RETURNING "sessionId"
    ), inserted AS (
      INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "generation", "createdAt", "expiresAt")
      SELECT ${randomUUID()}, "sessionId", ${options.successorHash}, ${options.successorGeneration}, ${options.now}, ${options.expiresAt}
      FROM consumed
      RETURNING "sessionId"
    ), touched AS (
      UPDATE "Session" SET "lastUsedAt" = ${options.now}, "expiresAt" = ${options.expiresAt}, "userAgent" = ${options.userAgent}, "ip" = ${options.ip}
      WHERE "id" IN (SELECT "sessionId" FROM inserted)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM inserted)::int AS won`;
  return rows[0]?.won === 1;
}

import { randomUUID } from "node:crypto";
import type { Database } from "./database.js";
import { directSql, readInt, sql } from "./direct-sql.js";
import type { RotateRefreshTokenOptions } from "./refresh-token-rotation.js";

/**
 * Consumes the token and issues its successor in ONE statement. The conditional UPDATE takes the
 * token's row lock; a concurrent rotation of the same token waits for it, and under READ
 * COMMITTED re-checks `"consumedAt" IS NULL` on the committed row, so it matches nothing and its
 * INSERT and Session update (fed only by the rows the UPDATE returned) do nothing: exactly one
 * winner per token, and none once the session has ended. Returns whether this call won.
 */
export async function rotateRefreshTokenOnPostgres(db: Database, options: RotateRefreshTokenOptions): Promise<boolean> {
  const rows = await (await directSql(db)).rows(sql`
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
    SELECT (SELECT count(*) FROM inserted)::int AS "won"`);
  return readInt(rows[0]?.["won"]) === 1;
}

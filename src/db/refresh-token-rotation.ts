import { randomUUID } from "node:crypto";
import { isPostgres, type Database } from "./database.js";
import { rotateRefreshTokenOnPostgres } from "./postgres-refresh-token-rotation.js";
import type { User } from "./generated/client.js";
import { directSql, readDate, readInt, readOptionalDate, readOptionalString, sql } from "./direct-sql.js";
import { userFromRow } from "./user-row.js";

/**
 * The statements on the refresh hot path, in portable SQL sent straight to the driver adapter
 * (see direct-sql.ts): Prisma's nested reads, interactive transactions and even its raw queries
 * cost several times what SQLite needs here; a join and one short transaction cost well under
 * 100 µs.
 */

/** Prisma's own text form of a DateTime on SQLite, so raw writes compare correctly with its reads. */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace(/Z$/, "+00:00");
}

export interface RefreshTokenRow {
  readonly id: string;
  readonly generation: number;
  readonly expiresAt: Date;
  readonly sessionId: string;
  readonly sessionRevokedAt: Date | null;
  readonly sessionCreatedAt: Date;
  readonly sessionUserAgent: string | null;
  readonly sessionIp: string | null;
  readonly user: User;
}

/** The token with its session and the session's user, read in one query (the same SQL on both databases). */
export async function findRefreshToken(db: Database, tokenHash: string): Promise<RefreshTokenRow | null> {
  const rows = await (await directSql(db)).rows(sql`
    SELECT t."id", t."generation", t."expiresAt", t."sessionId",
           s."revokedAt" AS "sessionRevokedAt", s."createdAt" AS "sessionCreatedAt", s."userAgent" AS "sessionUserAgent", s."ip" AS "sessionIp",
           u."id" AS "userId", u."email", u."passwordHash", u."claims", u."disabledAt", u."deletedAt", u."emailVerifiedAt",
           u."credentialEpoch", u."claimsVersion", u."claimsChangedAt", u."createdAt" AS "userCreatedAt", u."updatedAt" AS "userUpdatedAt"
    FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId" JOIN "User" u ON u."id" = s."userId"
    WHERE t."tokenHash" = ${tokenHash}`);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row["id"] as string,
    generation: readInt(row["generation"]),
    expiresAt: readDate(row["expiresAt"]),
    sessionId: row["sessionId"] as string,
    sessionRevokedAt: readOptionalDate(row["sessionRevokedAt"]),
    sessionCreatedAt: readDate(row["sessionCreatedAt"]),
    sessionUserAgent: readOptionalString(row["sessionUserAgent"]),
    sessionIp: readOptionalString(row["sessionIp"]),
    user: userFromRow(row),
  };
}

export interface RotateRefreshTokenOptions {
  tokenId: string;
  sessionId: string;
  successorHash: string;
  successorGeneration: number;
  now: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** The successor sealed with the consumed token, kept with it for retries; null keeps nothing. */
  successorSealed: string | null;
}

/**
 * Consumes the token and issues its successor in one transaction. Consuming is conditional
 * (`consumedAt IS NULL`, and the session still live) and the successor is written only if it
 * returned the row, so of several concurrent rotations of one token exactly one wins (SQLite runs
 * writers one at a time; PostgreSQL re-checks the condition on the row a concurrent winner
 * changed), and none wins once the session has ended (a password change or logout racing the
 * refresh). Returns whether this call won.
 */
export async function rotateRefreshToken(db: Database, options: RotateRefreshTokenOptions): Promise<boolean> {
  if (isPostgres(db)) return rotateRefreshTokenOnPostgres(db, options);
  const { tokenId, sessionId, now, expiresAt } = options;
  return (await directSql(db)).transaction(async (tx) => {
    const consumed = await tx.rows(sql`
      UPDATE "RefreshToken" SET "consumedAt" = ${now}, "successorSealed" = ${options.successorSealed}
      WHERE "id" = ${tokenId} AND "consumedAt" IS NULL
        AND EXISTS (SELECT 1 FROM "Session" WHERE "id" = ${sessionId} AND "revokedAt" IS NULL)
      RETURNING "id"`);
    if (consumed.length !== 1) return false;
    await tx.execute(sql`
      INSERT INTO "RefreshToken" ("id", "sessionId", "tokenHash", "generation", "createdAt", "expiresAt")
      VALUES (${randomUUID()}, ${sessionId}, ${options.successorHash}, ${options.successorGeneration}, ${now}, ${expiresAt})`);
    await tx.execute(sql`
      UPDATE "Session" SET "lastUsedAt" = ${now}, "expiresAt" = ${expiresAt}, "userAgent" = ${options.userAgent}, "ip" = ${options.ip}
      WHERE "id" = ${sessionId}`);
    return true;
  });
}

/** What a lost rotation needs to decide between a retry, a race and theft. */
export interface RotationOutcome {
  readonly consumedAt: Date | null;
  readonly successorSealed: string | null;
  /** The newest token of the session. */
  readonly newestGeneration: number | null;
  readonly newestConsumed: boolean;
  readonly sessionRevoked: boolean;
  readonly sessionIp: string | null;
  readonly sessionUserAgent: string | null;
}

export async function readRotationOutcome(db: Database, tokenId: string, sessionId: string): Promise<RotationOutcome> {
  const [consumed, newest, session] = await Promise.all([
    db.refreshToken.findUnique({ where: { id: tokenId }, select: { consumedAt: true, successorSealed: true } }),
    db.refreshToken.findFirst({ where: { sessionId }, orderBy: { generation: "desc" }, select: { generation: true, consumedAt: true } }),
    db.session.findUnique({ where: { id: sessionId }, select: { revokedAt: true, ip: true, userAgent: true } }),
  ]);
  return {
    consumedAt: consumed?.consumedAt ?? null,
    successorSealed: consumed?.successorSealed ?? null,
    newestGeneration: newest?.generation ?? null,
    newestConsumed: newest?.consumedAt != null,
    sessionRevoked: session?.revokedAt != null,
    sessionIp: session?.ip ?? null,
    sessionUserAgent: session?.userAgent ?? null,
  };
}

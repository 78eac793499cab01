import { randomUUID } from "node:crypto";
import { isPostgres, type Database } from "./database.js";
import { findRefreshTokenOnPostgres, rotateRefreshTokenOnPostgres } from "./postgres-refresh-token-rotation.js";
import type { User } from "./generated/client.js";

/**
 * The two statements on the refresh hot path, in SQL: Prisma's nested reads and interactive
 * transactions cost several milliseconds per refresh here, a join and one batch well under one.
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

const date = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
const optionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : date(value));

/** The token with its session and the session's user, read in one query. */
export async function findRefreshToken(db: Database, tokenHash: string): Promise<RefreshTokenRow | null> {
  if (isPostgres(db)) return findRefreshTokenOnPostgres(db, tokenHash);
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT t.id, t.generation, t.expiresAt, t.sessionId,
           s.revokedAt AS sessionRevokedAt, s.createdAt AS sessionCreatedAt, s.userAgent AS sessionUserAgent, s.ip AS sessionIp,
           u.id AS userId, u.email, u.passwordHash, u.claims, u.disabledAt, u.deletedAt, u.emailVerifiedAt,
           u.credentialEpoch, u.claimsVersion, u.claimsChangedAt, u.createdAt AS userCreatedAt, u.updatedAt AS userUpdatedAt
    FROM RefreshToken t JOIN Session s ON s.id = t.sessionId JOIN User u ON u.id = s.userId
    WHERE t.tokenHash = ${tokenHash}`;
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
 * (`consumedAt IS NULL`, and the session still live) and the insert runs only if it changed a
 * row, so of several concurrent rotations of one token exactly one wins, and none wins once the
 * session has ended (a password change or logout racing the refresh). Returns whether this call won.
 */
export async function rotateRefreshToken(db: Database, options: RotateRefreshTokenOptions): Promise<boolean> {
  if (isPostgres(db)) return rotateRefreshTokenOnPostgres(db, options);
  const now = sqliteTimestamp(options.now);
  const expiresAt = sqliteTimestamp(options.expiresAt);
  const [, inserted] = await db.$transaction([
    db.$executeRaw`
      UPDATE RefreshToken SET consumedAt = ${now}, successorSealed = ${options.successorSealed}
      WHERE id = ${options.tokenId} AND consumedAt IS NULL
        AND EXISTS (SELECT 1 FROM Session WHERE id = ${options.sessionId} AND revokedAt IS NULL)`,
    db.$executeRaw`
      INSERT INTO RefreshToken (id, sessionId, tokenHash, generation, createdAt, expiresAt)
      SELECT ${randomUUID()}, ${options.sessionId}, ${options.successorHash}, ${options.successorGeneration}, ${now}, ${expiresAt}
      WHERE changes() = 1`,
    db.$executeRaw`
      UPDATE Session SET lastUsedAt = ${now}, expiresAt = ${expiresAt}, userAgent = ${options.userAgent}, ip = ${options.ip}
      WHERE id = ${options.sessionId} AND changes() = 1`,
  ]);
  return inserted === 1;
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

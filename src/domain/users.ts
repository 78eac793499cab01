import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import { type AuditActor, auditWrite } from "./audit-log.js";
import { badInput, DomainError } from "./domain-error.js";
import { decodeStoredClaims, parseUserClaims, type UserClaims } from "./user-claims.js";

/** A user as the API shows it: never the password hash. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly claims: UserClaims;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    claims: decodeStoredClaims(user.claims),
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt,
  };
}

export interface InsertUserOptions {
  email: string;
  passwordHash: string;
  claims?: UserClaims;
  /** When the address was proven; accounts made by administrators and the command line count as verified. @default now */
  emailVerifiedAt?: Date | null;
}

export async function insertUser(db: Database, options: InsertUserOptions): Promise<User> {
  try {
    return await db.user.create({
      data: {
        email: options.email,
        passwordHash: options.passwordHash,
        claims: JSON.stringify(options.claims ?? {}),
        emailVerifiedAt: options.emailVerifiedAt === undefined ? new Date() : options.emailVerifiedAt,
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw badInput("EMAIL_TAKEN", `An account with the email ${options.email} already exists; log in instead.`, {
        field: "email",
      });
    }
    throw error;
  }
}

export async function requireUser(db: Pick<Database, "user">, userId: string): Promise<User> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user || user.deletedAt !== null) throw new DomainError("NOT_FOUND", "USER_NOT_FOUND", `There is no user with id ${JSON.stringify(userId.slice(0, 64))}.`);
  return user;
}

export function listUsers(db: Database): Promise<User[]> {
  return db.user.findMany({ where: { deletedAt: null }, orderBy: { createdAt: "asc" } });
}

export interface SetUserClaimsOptions {
  /** @default the command line */
  actor?: AuditActor;
  /** @default new Date() */
  now?: Date;
}

/**
 * Replaces a user's claims and bumps their claims version in one statement, with an audit event:
 * access tokens carrying an older version are refused as expired within the revocation interval,
 * so clients refresh and receive the new claims.
 */
export async function setUserClaims(db: Database, userId: string, input: unknown, options: SetUserClaimsOptions = {}): Promise<User> {
  const claims = parseUserClaims(input);
  const before = await requireUser(db, userId);
  const now = options.now ?? new Date();
  const [updated] = await db.$transaction([
    db.user.update({
      where: { id: userId },
      data: { claims: JSON.stringify(claims), claimsVersion: { increment: 1 }, claimsChangedAt: now },
    }),
    auditWrite(db, {
      actor: options.actor ?? { kind: "cli", id: null },
      action: "claims_changed",
      targetUserId: userId,
      before: decodeStoredClaims(before.claims),
      after: claims,
      at: now,
    }),
  ]);
  return updated;
}

/** The value a deleted account's email becomes: no valid address has no "@", so nobody can register it. */
export const tombstoneEmail = (userId: string) => `deleted:${userId}`;

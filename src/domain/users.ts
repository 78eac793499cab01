import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
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
}

export async function insertUser(db: Database, options: InsertUserOptions): Promise<User> {
  try {
    return await db.user.create({
      data: { email: options.email, passwordHash: options.passwordHash, claims: JSON.stringify(options.claims ?? {}) },
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

export async function requireUser(db: Database, userId: string): Promise<User> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user || user.deletedAt !== null) throw new DomainError("NOT_FOUND", "USER_NOT_FOUND", `There is no user with id ${JSON.stringify(userId.slice(0, 64))}.`);
  return user;
}

export function listUsers(db: Database): Promise<User[]> {
  return db.user.findMany({ where: { deletedAt: null }, orderBy: { createdAt: "asc" } });
}

/** Replaces a user's claims; they reach access tokens at the user's next login or refresh. */
export async function setUserClaims(db: Database, userId: string, input: unknown): Promise<User> {
  const claims = parseUserClaims(input);
  await requireUser(db, userId);
  return db.user.update({ where: { id: userId }, data: { claims: JSON.stringify(claims) } });
}

/** Disabling an account refuses its logins and refreshes; the caller also ends its sessions. */
export async function setUserDisabled(db: Database, userId: string, disabled: boolean, now: Date): Promise<User> {
  await requireUser(db, userId);
  return db.user.update({ where: { id: userId }, data: { disabledAt: disabled ? now : null } });
}

/**
 * Deletes an account's personal data and content, keeping an anonymised tombstone: its sessions
 * (ended by the caller) stay visible to every server process until their tokens expire, and the
 * email is free to register again.
 */
export async function deleteUser(db: Database, userId: string, now: Date): Promise<void> {
  await requireUser(db, userId);
  await db.$transaction([
    db.post.deleteMany({ where: { authorId: userId } }),
    db.user.update({
      where: { id: userId },
      data: { email: `deleted-${userId}@deleted.invalid`, passwordHash: "!", claims: "{}", disabledAt: now, deletedAt: now },
    }),
  ]);
}

import { type Database, isPostgres } from "../db/database.js";
import type { Prisma, Role, User } from "../db/generated/client.js";
import { lockRoleRow } from "../db/role-row-lock.js";
import { findTokenRoles } from "../db/token-roles.js";
import { type AuditActor, auditWrite } from "./audit-log.js";
import { badInput, DomainError } from "./domain-error.js";
import { expandRoleClaims, type GrantedRole, ROLE_COMPUTED_CLAIMS } from "./role-claims.js";
import { decodeStoredClaims, parseUserClaims, type UserClaims } from "./user-claims.js";
import { requireUser } from "./users.js";

/** A role as administrators see it. */
export interface RoleView {
  readonly name: string;
  readonly permissions: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
  readonly description: string;
  /** Users granted the role (not counting those whose own `role` claim names it). */
  readonly holders: number;
}

export interface RoleInput {
  readonly permissions?: readonly string[] | null;
  readonly claims?: unknown;
  readonly description?: string | null;
}

export interface RoleChangeOptions {
  /** @default the command line */
  actor?: AuditActor;
  /** @default new Date() */
  now?: Date;
}

/** Users whose tokens changed: each process refuses their older access tokens (see RevokedSessions). */
export interface ClaimsBump {
  readonly userId: string;
  readonly claimsVersion: number;
}

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const PERMISSION = /^[^\s"]{1,128}$/;
const MAX_PERMISSIONS = 200;

const parseArray = (text: string): string[] => {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
};

export function toRoleView(role: Role, holders: number): RoleView {
  return { name: role.name, permissions: parseArray(role.permissions), claims: decodeStoredClaims(role.claims), description: role.description, holders };
}

function checkName(name: string): string {
  if (!ROLE_NAME.test(name)) {
    throw badInput("INVALID_ROLE_NAME", "A role name is 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit.", { field: "name" });
  }
  return name;
}

function checkPermissions(permissions: readonly string[]): string[] {
  if (permissions.length > MAX_PERMISSIONS) throw badInput("INVALID_PERMISSIONS", `A role grants at most ${MAX_PERMISSIONS} permissions.`, { field: "permissions" });
  const bad = permissions.filter((permission) => !PERMISSION.test(permission));
  if (bad.length > 0) {
    throw badInput("INVALID_PERMISSIONS", "A permission is 1 to 128 characters without spaces or quotes, such as posts:read.", { field: "permissions" });
  }
  return [...new Set(permissions)];
}

function checkRoleClaims(input: unknown): UserClaims {
  const claims = parseUserClaims(input ?? {});
  const computed = Object.keys(claims).filter((name) => ROLE_COMPUTED_CLAIMS.has(name));
  if (computed.length > 0) {
    throw badInput("RESERVED_CLAIM", `${computed.join(", ")}: a role's role, roles and permissions come from its name and permission list.`, { field: "claims" });
  }
  return claims;
}

export async function requireRole(db: Pick<Database, "role">, name: string): Promise<Role> {
  const role = await db.role.findUnique({ where: { name } });
  if (!role) throw new DomainError("NOT_FOUND", "ROLE_NOT_FOUND", `There is no role named ${JSON.stringify(name.slice(0, 64))} (see the roles query or claimgate role list).`);
  return role;
}

export async function listRoles(db: Database): Promise<RoleView[]> {
  const roles = await db.role.findMany({ orderBy: { name: "asc" }, include: { _count: { select: { holders: true } } } });
  return roles.map((role) => toRoleView(role, role._count.holders));
}

export async function createRole(db: Database, name: string, input: RoleInput, options: RoleChangeOptions = {}): Promise<RoleView> {
  checkName(name);
  const permissions = checkPermissions(input.permissions ?? []);
  const claims = checkRoleClaims(input.claims);
  const now = options.now ?? new Date();
  try {
    const [role] = await db.$transaction([
      db.role.create({ data: { name, permissions: JSON.stringify(permissions), claims: JSON.stringify(claims), description: input.description ?? "" } }),
      auditWrite(db, { actor: options.actor ?? CLI, action: "role_created", targetUserId: null, after: { role: name, permissions, claims }, at: now }),
    ]);
    return toRoleView(role, 0);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw badInput("ROLE_EXISTS", `A role named ${name} already exists; update it instead.`, { field: "name" });
    throw error;
  }
}

/**
 * Changes what a role grants. Every holder's claims version is bumped in the same transaction, so
 * their older access tokens (with the old permissions) are refused within the revocation interval
 * and the next refresh carries the new ones. The holders are read inside the transaction after
 * the role's row is locked (see lockRoleRow): a grant racing the change either commits first and
 * is bumped here, or waits and reads the new permissions.
 */
export async function updateRole(db: Database, name: string, input: RoleInput, options: RoleChangeOptions = {}): Promise<{ role: RoleView; bumped: ClaimsBump[] }> {
  // Checked before the transaction so a bad input costs no lock.
  const permissionsInput = input.permissions == null ? null : checkPermissions(input.permissions);
  const claimsInput = input.claims == null ? null : checkRoleClaims(input.claims);
  const now = options.now ?? new Date();
  const postgres = isPostgres(db);
  return db.$transaction(async (tx) => {
    await lockRoleRow(tx, name, postgres);
    const before = await requireRole(tx, name);
    const permissions = permissionsInput ?? parseArray(before.permissions);
    const claims = claimsInput ?? decodeStoredClaims(before.claims);
    const role = await tx.role.update({
      where: { id: before.id },
      data: { permissions: JSON.stringify(permissions), claims: JSON.stringify(claims), ...(input.description != null ? { description: input.description } : {}) },
    });
    const bumped = await bumpHolders(tx, role, now);
    await auditWrite(tx, {
      actor: options.actor ?? CLI,
      action: "role_changed",
      targetUserId: null,
      before: { role: name, permissions: parseArray(before.permissions), claims: decodeStoredClaims(before.claims) },
      after: { role: name, permissions, claims, holders: bumped.length },
      at: now,
    });
    return { role: toRoleView(role, await tx.userRole.count({ where: { roleId: role.id } })), bumped };
  }, TRANSACTION);
}

/**
 * Removes a role: its grants go with it, and its holders' tokens are refreshed without it. Of
 * identical deletions at once one deletes, the others wait for the row and find no role.
 */
export async function deleteRole(db: Database, name: string, options: RoleChangeOptions = {}): Promise<ClaimsBump[]> {
  const now = options.now ?? new Date();
  const postgres = isPostgres(db);
  return db.$transaction(async (tx) => {
    await lockRoleRow(tx, name, postgres);
    const role = await requireRole(tx, name);
    // Before the delete: its grants go with the role (ON DELETE CASCADE).
    const bumped = await bumpHolders(tx, role, now);
    await tx.role.delete({ where: { id: role.id } });
    await auditWrite(tx, { actor: options.actor ?? CLI, action: "role_deleted", targetUserId: null, before: { role: name, permissions: parseArray(role.permissions) }, at: now });
    return bumped;
  }, TRANSACTION);
}

/**
 * Grants or revokes one role of one user, bumping the user's claims version and auditing it.
 * The bump comes first: it locks the user's row (PostgreSQL) or the database (SQLite), so
 * identical requests at once take turns, and the grant read after it is the one to change.
 * When there is nothing to change the transaction rolls back, bump included.
 */
export async function setRoleGranted(db: Database, userId: string, name: string, granted: boolean, options: RoleChangeOptions = {}): Promise<{ user: User; changed: boolean }> {
  const user = await requireUser(db, userId);
  const role = await requireRole(db, name);
  const now = options.now ?? new Date();
  const key = { userId_roleId: { userId: user.id, roleId: role.id } };
  try {
    const updated = await db.$transaction(async (tx) => {
      const bumped = await tx.user.updateManyAndReturn({ where: { id: user.id, deletedAt: null }, data: { claimsVersion: { increment: 1 }, claimsChangedAt: now } });
      if (bumped.length === 0) await requireUser(tx, user.id);
      const existing = await tx.userRole.findUnique({ where: key });
      if ((existing !== null) === granted) throw NOTHING_TO_CHANGE;
      if (granted) await tx.userRole.create({ data: { userId: user.id, roleId: role.id, grantedAt: now } });
      else await tx.userRole.delete({ where: key });
      await auditWrite(tx, { actor: options.actor ?? CLI, action: granted ? "role_granted" : "role_revoked", targetUserId: user.id, after: { role: name }, at: now });
      return bumped[0]!;
    }, TRANSACTION);
    return { user: updated, changed: true };
  } catch (error) {
    if (error === NOTHING_TO_CHANGE) return { user, changed: false };
    // The role was deleted between the look-up and the grant.
    if (granted && (error as { code?: string }).code === "P2003") await requireRole(db, name);
    throw error;
  }
}

/** The roles granted to a user, in grant order. */
export async function rolesOf(db: Database, userId: string): Promise<string[]> {
  const grants = await db.userRole.findMany({ where: { userId }, orderBy: { grantedAt: "asc" }, select: { role: { select: { name: true } } } });
  return grants.map((grant) => grant.role.name);
}

/** The claims an access token of this user carries: their own claims expanded by their roles. */
export async function tokenClaimsOf(db: Database, user: Pick<User, "id" | "claims">): Promise<UserClaims> {
  const own = decodeStoredClaims(user.claims);
  const primaryName = typeof own["role"] === "string" ? own["role"] : null;
  // One statement on every login and refresh: the roles granted (in grant order) and the one the user's own role claim names.
  const rows = await findTokenRoles(db, user.id, primaryName);
  if (rows.length === 0) return expandRoleClaims(own, []);
  const ordered = [...rows.filter((row) => row.name === primaryName), ...rows.filter((row) => row.name !== primaryName)];
  return expandRoleClaims(own, ordered.map(toGrantedRole));
}

/** Every role as token expansion needs it, with when it last changed. */
export async function allGrantedRoles(db: Database): Promise<(GrantedRole & { readonly updatedAt: Date })[]> {
  const rows = await db.role.findMany({ orderBy: { name: "asc" } });
  return rows.map((role) => ({ ...toGrantedRole(role), updatedAt: role.updatedAt }));
}

const toGrantedRole = (role: Pick<Role, "name" | "permissions" | "claims">): GrantedRole => ({ name: role.name, permissions: parseArray(role.permissions), claims: decodeStoredClaims(role.claims) });

const CLI: AuditActor = { kind: "cli", id: null };

/** Thrown inside a transaction to roll it back when a request finds its change already made. */
const NOTHING_TO_CHANGE = new Error("nothing to change");

/**
 * Interactive transactions queue for the one SQLite writer or a pooled PostgreSQL connection;
 * Prisma's 2 s default wait is too short for a burst of identical admin requests.
 */
const TRANSACTION = { maxWait: 10_000, timeout: 15_000 };

/**
 * Bumps the users holding the role (granted it, or naming it in their own `role` claim) and
 * returns their new versions, so each process learns the versions to require.
 */
async function bumpHolders(tx: Prisma.TransactionClient, role: Role, now: Date): Promise<ClaimsBump[]> {
  const granted = await tx.userRole.findMany({ where: { roleId: role.id }, select: { userId: true } });
  const rows = await tx.user.updateManyAndReturn({
    where: {
      // Claims are stored as compact JSON; a false positive only costs that user one refresh.
      OR: [{ id: { in: granted.map((row) => row.userId) } }, { claims: { contains: `"role":${JSON.stringify(role.name)}` } }],
    },
    data: { claimsVersion: { increment: 1 }, claimsChangedAt: now },
    select: { id: true, claimsVersion: true },
  });
  return rows.map((row) => ({ userId: row.id, claimsVersion: row.claimsVersion }));
}

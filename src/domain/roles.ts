import type { Database } from "../db/database.js";
import type { Role, User } from "../db/generated/client.js";
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

export async function requireRole(db: Database, name: string): Promise<Role> {
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
 * and the next refresh carries the new ones.
 */
export async function updateRole(db: Database, name: string, input: RoleInput, options: RoleChangeOptions = {}): Promise<{ role: RoleView; bumped: ClaimsBump[] }> {
  const before = await requireRole(db, name);
  const permissions = input.permissions == null ? parseArray(before.permissions) : checkPermissions(input.permissions);
  const claims = input.claims == null ? decodeStoredClaims(before.claims) : checkRoleClaims(input.claims);
  const now = options.now ?? new Date();
  const holders = await holdersOf(db, before);
  const [role, , , versions] = await db.$transaction([
    db.role.update({
      where: { id: before.id },
      data: { permissions: JSON.stringify(permissions), claims: JSON.stringify(claims), ...(input.description != null ? { description: input.description } : {}) },
    }),
    auditWrite(db, {
      actor: options.actor ?? CLI,
      action: "role_changed",
      targetUserId: null,
      before: { role: name, permissions: parseArray(before.permissions), claims: decodeStoredClaims(before.claims) },
      after: { role: name, permissions, claims, holders: holders.length },
      at: now,
    }),
    bumpClaims(db, holders, now),
    readVersions(db, holders),
  ]);
  return { role: toRoleView(role, await db.userRole.count({ where: { roleId: role.id } })), bumped: toBumps(versions) };
}

/** Removes a role: its grants go with it, and its holders' tokens are refreshed without it. */
export async function deleteRole(db: Database, name: string, options: RoleChangeOptions = {}): Promise<ClaimsBump[]> {
  const role = await requireRole(db, name);
  const now = options.now ?? new Date();
  const holders = await holdersOf(db, role);
  const [, , , versions] = await db.$transaction([
    db.role.delete({ where: { id: role.id } }),
    auditWrite(db, { actor: options.actor ?? CLI, action: "role_deleted", targetUserId: null, before: { role: name, permissions: parseArray(role.permissions) }, at: now }),
    bumpClaims(db, holders, now),
    readVersions(db, holders),
  ]);
  return toBumps(versions);
}

/** Grants or revokes one role of one user, bumping the user's claims version and auditing it. */
export async function setRoleGranted(db: Database, userId: string, name: string, granted: boolean, options: RoleChangeOptions = {}): Promise<{ user: User; changed: boolean }> {
  const user = await requireUser(db, userId);
  const role = await requireRole(db, name);
  const now = options.now ?? new Date();
  const key = { userId_roleId: { userId: user.id, roleId: role.id } };
  const existing = await db.userRole.findUnique({ where: key });
  if ((existing !== null) === granted) return { user, changed: false };
  const [, updated] = await db.$transaction([
    granted ? db.userRole.create({ data: { userId: user.id, roleId: role.id, grantedAt: now } }) : db.userRole.delete({ where: key }),
    db.user.update({ where: { id: user.id }, data: { claimsVersion: { increment: 1 }, claimsChangedAt: now } }),
    auditWrite(db, { actor: options.actor ?? CLI, action: granted ? "role_granted" : "role_revoked", targetUserId: user.id, after: { role: name }, at: now }),
  ]);
  return { user: updated, changed: true };
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

/** Users holding the role: granted it, or naming it in their own `role` claim. */
async function holdersOf(db: Database, role: Role): Promise<string[]> {
  const [granted, named] = await Promise.all([
    db.userRole.findMany({ where: { roleId: role.id }, select: { userId: true } }),
    // Claims are stored as compact JSON; a false positive only costs that user one refresh.
    db.user.findMany({ where: { claims: { contains: `"role":${JSON.stringify(role.name)}` } }, select: { id: true } }),
  ]);
  return [...new Set([...granted.map((row) => row.userId), ...named.map((row) => row.id)])];
}

const bumpClaims = (db: Database, userIds: string[], now: Date) =>
  db.user.updateMany({ where: { id: { in: userIds } }, data: { claimsVersion: { increment: 1 }, claimsChangedAt: now } });

/** Read in the same transaction as the bump, so each process learns the versions to require. */
const readVersions = (db: Database, userIds: string[]) => db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, claimsVersion: true } });
const toBumps = (rows: { id: string; claimsVersion: number }[]): ClaimsBump[] => rows.map((row) => ({ userId: row.id, claimsVersion: row.claimsVersion }));

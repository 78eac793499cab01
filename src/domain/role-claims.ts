import type { UserClaims } from "./user-claims.js";

/** A role as token expansion needs it. */
export interface GrantedRole {
  readonly name: string;
  readonly permissions: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Claims a role's own claims may not set: the expansion computes them. */
export const ROLE_COMPUTED_CLAIMS: ReadonlySet<string> = new Set(["role", "roles", "permissions"]);

/**
 * A user's token claims: their own claims plus what their roles grant.
 * - `role` stays the primary role: the user's own `role` claim when set (as before roles existed),
 *   otherwise the role granted first;
 * - `roles` lists every role name, the primary one first;
 * - `permissions` is the union of the user's own permissions and every role's;
 * - a role's other claims fill in what the user's own claims do not set (earlier roles first).
 * `roles` is the held roles in grant order; a role named by the user's own `role` claim is expanded too.
 * Pure: the caller reads the roles.
 */
export function expandRoleClaims(own: UserClaims, roles: readonly GrantedRole[]): UserClaims {
  const primary = typeof own["role"] === "string" ? own["role"] : roles[0]?.name;
  if (primary === undefined) return own;
  const names = unique([primary, ...stringsOf(own["roles"]), ...roles.map((role) => role.name)]);
  const permissions = unique([...stringsOf(own["permissions"]), ...roles.flatMap((role) => role.permissions)]);
  const claims: UserClaims = { ...own, role: primary, roles: names };
  if (permissions.length > 0) claims["permissions"] = permissions;
  for (const role of roles) {
    for (const [name, value] of Object.entries(role.claims)) {
      if (!Object.hasOwn(claims, name) && !ROLE_COMPUTED_CLAIMS.has(name)) claims[name] = value;
    }
  }
  return claims;
}

/**
 * An external token's claims expanded by the role table: every role it names (in `role` or `roles`,
 * after the issuer's mapping) that exists here adds its permissions and fills in its other claims.
 * The token's own role and roles stay as the provider sent them. Returns `claims` itself when no
 * named role exists here.
 */
export function expandExternalRoleClaims<T extends Readonly<Record<string, unknown>>>(claims: T, lookup: (name: string) => GrantedRole | undefined): T {
  const roles = unique([...stringsOf(claims["role"]), ...stringsOf(claims["roles"])])
    .map(lookup)
    .filter((role): role is GrantedRole => role !== undefined);
  if (roles.length === 0) return claims;
  const expanded: Record<string, unknown> = { ...claims, permissions: unique([...stringsOf(claims["permissions"]), ...roles.flatMap((role) => role.permissions)]) };
  for (const role of roles) {
    for (const [name, value] of Object.entries(role.claims)) {
      if (!Object.hasOwn(expanded, name) && !ROLE_COMPUTED_CLAIMS.has(name)) expanded[name] = value;
    }
  }
  return expanded as T;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

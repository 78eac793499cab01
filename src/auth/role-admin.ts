import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import type { AuditActor } from "../domain/audit-log.js";
import { type ClaimsBump, createRole, deleteRole, listRoles, type RoleInput, type RoleView, setRoleGranted, updateRole } from "../domain/roles.js";
import type { RevokedSessions } from "./revoked-sessions.js";

/** Role administration for the API: the domain's role changes, with this process told at once whose tokens changed. */
export interface RoleAdmin {
  list(): Promise<RoleView[]>;
  create(actor: AuditActor, name: string, input: RoleInput): Promise<RoleView>;
  update(actor: AuditActor, name: string, input: RoleInput): Promise<RoleView>;
  delete(actor: AuditActor, name: string): Promise<void>;
  setGranted(actor: AuditActor, userId: string, name: string, granted: boolean): Promise<User>;
}

export interface RoleAdminOptions {
  db: Database;
  revoked: Pick<RevokedSessions, "noteClaimsChanged">;
  clock: () => Date;
  /** Called after a role's grants changed (the role catalog re-reads at once in this process). */
  onRolesChanged?: () => Promise<void>;
}

export function createRoleAdmin(options: RoleAdminOptions): RoleAdmin {
  const { db, revoked, clock } = options;
  const changed = async () => {
    await options.onRolesChanged?.();
  };
  // Other processes learn the bumps from the database at their next sync.
  const note = (bumps: readonly ClaimsBump[]) => {
    for (const bump of bumps) revoked.noteClaimsChanged(bump.userId, bump.claimsVersion);
  };
  return {
    list: () => listRoles(db),
    async create(actor, name, input) {
      const role = await createRole(db, name, input, { actor, now: clock() });
      await changed();
      return role;
    },
    async update(actor, name, input) {
      const { role, bumped } = await updateRole(db, name, input, { actor, now: clock() });
      note(bumped);
      await changed();
      return role;
    },
    async delete(actor, name) {
      note(await deleteRole(db, name, { actor, now: clock() }));
      await changed();
    },
    async setGranted(actor, userId, name, granted) {
      const { user, changed } = await setRoleGranted(db, userId, name, granted, { actor, now: clock() });
      if (changed) note([{ userId: user.id, claimsVersion: user.claimsVersion }]);
      return user;
    },
  };
}

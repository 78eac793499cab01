import type { Database } from "../db/database.js";
import type { GrantedRole } from "../domain/role-claims.js";
import { allGrantedRoles } from "../domain/roles.js";

export interface RoleCatalogOptions {
  db: Database;
  /** How often to read the role table: the longest a role change takes to reach external tokens. */
  syncIntervalMs: number;
  onError?: (error: unknown) => void;
}

/**
 * The role table in memory, for expanding the roles that external tokens name (issuers with
 * expandRoles). Re-read every sync interval; `version` changes whenever a role did, so principals
 * computed from an older catalog are recomputed.
 */
export class RoleCatalog {
  readonly #options: RoleCatalogOptions;
  #roles = new Map<string, GrantedRole>();
  #signature = "";
  #version = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RoleCatalogOptions) {
    this.#options = options;
  }

  get version(): number {
    return this.#version;
  }

  get(name: string): GrantedRole | undefined {
    return this.#roles.get(name);
  }

  async start(): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.syncIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async sync(): Promise<void> {
    const roles = await allGrantedRoles(this.#options.db);
    const signature = JSON.stringify(roles.map((role) => [role.name, role.updatedAt.getTime(), role.permissions, role.claims]));
    if (signature === this.#signature) return;
    this.#roles = new Map(roles.map((role) => [role.name, { name: role.name, permissions: role.permissions, claims: role.claims }]));
    this.#signature = signature;
    this.#version++;
  }
}

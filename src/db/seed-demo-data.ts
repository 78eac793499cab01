import type { Database } from "./database.js";
import type { Role, User } from "./generated/client.js";

/** The demo roles: permissions are granted by role, not copied into each account. */
export const DEMO_ROLES = [
  { name: "admin", permissions: ["posts:read", "posts:write"], description: "Manages accounts and roles; reads and writes posts." },
  { name: "reader", permissions: ["posts:read"], description: "Reads published posts." },
  { name: "writer", permissions: ["posts:read", "posts:write"], description: "Reads and publishes posts." },
] as const;

/** The demo accounts that `npm start` creates in development, with the roles they hold; restored at every start. */
export const DEMO_USERS = [
  { email: "alice@example.com", password: "alice-password-123", roles: ["admin"] },
  { email: "bob@example.com", password: "bob-password-123", roles: ["reader"] },
] as const;

export interface SeedDemoDataOptions {
  db: Database;
  /** Injected so the data layer does not depend on the auth layer. */
  hashPassword: (password: string) => Promise<string>;
  /** Checks a stored hash against the documented password, to restore a changed one. */
  verifyPassword: (storedHash: string, password: string) => Promise<boolean>;
  /** Forgets an address's failed logins (the throttle's own keys); returns how many counters went. */
  forgetFailedLogins: (email: string) => Promise<number>;
  /** The server's clock, so seeded times (role grants, verification) agree with the rest. @default () => new Date() */
  clock?: () => Date;
}

export interface DemoSeedReport {
  /** The demo accounts and posts were created: the database was new. */
  readonly created: boolean;
  /** What was put back, one entry per account, e.g. "bob@example.com: password, failed logins forgotten". */
  readonly restored: readonly string[];
}

/**
 * Creates the demo roles, accounts and a few posts on a new database; on one that has them, puts
 * each account back as documented (password, no claims of its own, its roles, enabled, no failed
 * logins, recreated if deleted), so the logins the banner prints always work. Posts, and roles an
 * administrator changed, are left as they are.
 */
export async function seedDemoData(options: SeedDemoDataOptions): Promise<DemoSeedReport> {
  const { db } = options;
  const now = options.clock ?? (() => new Date());
  const emails = DEMO_USERS.map((user) => user.email);
  const existing = await db.user.findMany({ where: { email: { in: emails } } });
  if (existing.length === 0) return { created: await createDemoData(options), restored: [] };

  const roles = await ensureDemoRoles(db);
  const restored: string[] = [];
  for (const demo of DEMO_USERS) {
    const changes: string[] = [];
    let user = existing.find((candidate) => candidate.email === demo.email);
    if (!user) {
      // Deleted (deleting anonymises the email): a new account under the documented email.
      user =
        (await db.user
          .create({ data: { email: demo.email, passwordHash: await options.hashPassword(demo.password), emailVerifiedAt: now() } })
          .catch((error: { code?: string }) => (error.code === "P2002" ? null : Promise.reject(error)))) ?? undefined;
      if (user) changes.push("recreated");
    } else {
      // Restored like any change: new claims make older tokens stale (claimsVersion), a new password
      // ends what the old one started (credentialEpoch).
      const data: { claims?: string; disabledAt?: null; passwordHash?: string; claimsVersion?: { increment: 1 }; claimsChangedAt?: Date; credentialEpoch?: { increment: 1 } } = {};
      if (!hasNoOwnClaims(user.claims)) {
        Object.assign(data, { claims: "{}", claimsVersion: { increment: 1 }, claimsChangedAt: now() });
        changes.push("claims");
      }
      if (user.disabledAt !== null) {
        // Re-enabled like setDisabled does it: providers' tokens of a linked account are looked at again.
        Object.assign(data, { disabledAt: null, claimsVersion: { increment: 1 }, claimsChangedAt: now() });
        changes.push("enabled");
      }
      if (!(await options.verifyPassword(user.passwordHash, demo.password))) {
        Object.assign(data, { passwordHash: await options.hashPassword(demo.password), credentialEpoch: { increment: 1 } });
        changes.push("password");
      }
      if (data.credentialEpoch) {
        // As a password reset does: the sessions the replaced password started end with it, in
        // the same transaction (refresh does not look at the epoch; only a login in flight does).
        const at = now();
        await db.$transaction([
          db.user.update({ where: { id: user.id }, data }),
          db.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: at, revokedReason: "password_reset" } }),
        ]);
      } else if (Object.keys(data).length > 0) {
        await db.user.update({ where: { id: user.id }, data });
      }
    }
    const rolesChanged = user ? await restoreRoles(db, user, demo.roles, roles, now()) : false;
    if (rolesChanged && !changes.includes("recreated")) changes.push("roles");
    // Failed-login records for the account, alone and per client address.
    const count = await options.forgetFailedLogins(demo.email);
    if (count > 0) changes.push("failed logins forgotten");
    if (changes.length > 0) restored.push(`${demo.email}: ${changes.join(", ")}`);
  }
  return { created: false, restored };
}

function hasNoOwnClaims(stored: string): boolean {
  try {
    return JSON.stringify(JSON.parse(stored)) === "{}";
  } catch {
    return false;
  }
}

/** The demo roles by name, created if missing; roles an administrator already made are left as they are. */
async function ensureDemoRoles(db: Database): Promise<Map<string, Role>> {
  const roles = await Promise.all(
    DEMO_ROLES.map((role) =>
      db.role
        .upsert({
          where: { name: role.name },
          create: { name: role.name, permissions: JSON.stringify(role.permissions), description: role.description },
          update: {},
        })
        // Another process seeding at the same moment created it first.
        .catch((error: { code?: string }) => (error.code === "P2002" ? db.role.findUniqueOrThrow({ where: { name: role.name } }) : Promise.reject(error))),
    ),
  );
  return new Map(roles.map((role) => [role.name, role]));
}

/** Gives the account exactly its documented roles; returns whether anything changed (its tokens then go stale). */
async function restoreRoles(db: Database, user: User, names: readonly string[], roles: Map<string, Role>, at: Date): Promise<boolean> {
  const wanted = new Set(names.map((name) => roles.get(name)!.id));
  const held = new Set((await db.userRole.findMany({ where: { userId: user.id }, select: { roleId: true } })).map((row) => row.roleId));
  if (wanted.size === held.size && [...wanted].every((id) => held.has(id))) return false;
  try {
    await db.$transaction([
      db.userRole.deleteMany({ where: { userId: user.id } }),
      db.userRole.createMany({ data: [...wanted].map((roleId) => ({ userId: user.id, roleId, grantedAt: at })) }),
      db.user.update({ where: { id: user.id }, data: { claimsVersion: { increment: 1 }, claimsChangedAt: at } }),
    ]);
  } catch (error) {
    // Another process starting at the same moment restored them first (its grants collide with ours).
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  }
  return true;
}

/** One transaction for the accounts; returns false when another process created them first. */
async function createDemoData(options: SeedDemoDataOptions): Promise<boolean> {
  const { db } = options;
  const now = options.clock ?? (() => new Date());
  const hashes = await Promise.all(DEMO_USERS.map((user) => options.hashPassword(user.password)));
  const roles = await ensureDemoRoles(db);
  // A second process seeding the same new database at the same moment fails on the unique
  // email and leaves the first one's data as it is.
  // Accounts, their roles and the demo posts in one transaction: a process starting a moment
  // later sees all of it or none of it (never accounts without their roles to "restore").
  try {
    await db.$transaction(async (tx) => {
      const created: User[] = [];
      for (const [i, user] of DEMO_USERS.entries()) {
        created.push(await tx.user.create({ data: { email: user.email, passwordHash: hashes[i]!, emailVerifiedAt: now() } }));
      }
      await tx.userRole.createMany({
        data: DEMO_USERS.flatMap((user, i) => user.roles.map((name) => ({ userId: created[i]!.id, roleId: roles.get(name)!.id, grantedAt: now() }))),
      });
      const [alice, bob] = created;
      await tx.post.createMany({
        data: [
          {
            authorId: alice!.id,
            title: "Welcome to claimgate",
            body: "Every field of this API declares the claims it needs. Try reading secretNote as bob.",
            secretNote: "Only tokens with role=admin can read this note.",
          },
          { authorId: bob!.id, title: "Hello from bob", body: "bob can read posts but not write them." },
          { authorId: bob!.id, title: "bob's draft", body: "Only bob can read his drafts.", published: false },
        ],
      });
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  }
  return true;
}

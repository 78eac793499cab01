import type { Database } from "./database.js";
import type { Role, User } from "./generated/client.js";

/** The demo roles: permissions are granted by role, not copied into each account. */
export const DEMO_ROLES = [
  { name: "admin", permissions: ["posts:read", "posts:write"], description: "Manages accounts and roles; reads and writes posts." },
  { name: "reader", permissions: ["posts:read"], description: "Reads published posts." },
  { name: "writer", permissions: ["posts:read", "posts:write"], description: "Reads and publishes posts." },
] as const;

/** The demo accounts that `npm start` creates in development, with the roles they hold. */
export const DEMO_USERS = [
  { email: "alice@example.com", password: "alice-password-123", roles: ["admin"] },
  { email: "bob@example.com", password: "bob-password-123", roles: ["reader"] },
] as const;

export interface SeedDemoDataOptions {
  db: Database;
  /** Injected so the data layer does not depend on the auth layer. */
  hashPassword: (password: string) => Promise<string>;
}

/** Creates the demo accounts and a few posts, once: existing accounts are left untouched. */
export async function seedDemoData(options: SeedDemoDataOptions): Promise<void> {
  const { db } = options;
  if ((await db.user.count({ where: { email: { in: DEMO_USERS.map((user) => user.email) } } })) > 0) return;
  const hashes = await Promise.all(DEMO_USERS.map((user) => options.hashPassword(user.password)));
  // One transaction: a second process seeding the same new database at the same moment
  // fails on the unique email and leaves the first one's data as it is.
  let created;
  try {
    created = await db.$transaction([
      ...DEMO_USERS.map((user, i) => db.user.create({ data: { email: user.email, passwordHash: hashes[i]!, emailVerifiedAt: new Date() } })),
      // Roles an administrator already made are left as they are.
      ...DEMO_ROLES.map((role) =>
        db.role.upsert({
          where: { name: role.name },
          create: { name: role.name, permissions: JSON.stringify(role.permissions), description: role.description },
          update: {},
        }),
      ),
    ]);
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return;
    throw error;
  }
  const [alice, bob, ...roles] = created as [User, User, ...Role[]];
  await db.userRole.createMany({
    data: DEMO_USERS.flatMap((user, i) =>
      user.roles.map((name) => ({ userId: created[i]!.id, roleId: roles.find((role) => role.name === name)!.id })),
    ),
  });
  await db.post.createMany({
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
}

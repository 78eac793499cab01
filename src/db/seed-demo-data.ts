import type { Database } from "./database.js";

/** The demo accounts that `npm start` creates in development. */
export const DEMO_USERS = [
  {
    email: "alice@example.com",
    password: "alice-password-123",
    claims: { role: "admin", permissions: ["posts:read", "posts:write"] },
  },
  {
    email: "bob@example.com",
    password: "bob-password-123",
    claims: { role: "user", permissions: ["posts:read"] },
  },
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
    created = await db.$transaction(
      DEMO_USERS.map((user, i) => db.user.create({ data: { email: user.email, passwordHash: hashes[i]!, claims: JSON.stringify(user.claims), emailVerifiedAt: new Date() } })),
    );
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return;
    throw error;
  }
  const [alice, bob] = created;
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

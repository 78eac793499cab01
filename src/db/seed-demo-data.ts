import type { Database } from "./database.js";

/** The demo accounts that `npm start` creates in development, and restores at every start. */
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
  /** Checks a stored hash against the documented password, to restore a changed one. */
  verifyPassword: (storedHash: string, password: string) => Promise<boolean>;
  /** Forgets an address's failed logins (the throttle's own keys); returns how many counters went. */
  forgetFailedLogins: (email: string) => Promise<number>;
}

export interface DemoSeedReport {
  /** The demo accounts and posts were created: the database was new. */
  readonly created: boolean;
  /** What was put back, one entry per account, e.g. "bob@example.com: password, failed logins forgotten". */
  readonly restored: readonly string[];
}

/**
 * Creates the demo accounts and a few posts on a new database; on one that has them, puts each
 * account back as documented (password, claims, enabled, no failed logins, recreated if deleted), so
 * the logins the banner prints always work. Posts are left as they are.
 */
export async function seedDemoData(options: SeedDemoDataOptions): Promise<DemoSeedReport> {
  const { db } = options;
  const emails = DEMO_USERS.map((user) => user.email);
  const existing = await db.user.findMany({ where: { email: { in: emails } } });
  if (existing.length === 0) return { created: await createDemoData(options), restored: [] };

  const restored: string[] = [];
  for (const demo of DEMO_USERS) {
    const changes: string[] = [];
    const user = existing.find((candidate) => candidate.email === demo.email);
    if (!user) {
      // Deleted (deleting anonymises the email): a new account under the documented email.
      const created = await db.user
        .create({
          data: { email: demo.email, passwordHash: await options.hashPassword(demo.password), claims: JSON.stringify(demo.claims), emailVerifiedAt: new Date() },
        })
        .catch((error: { code?: string }) => (error.code === "P2002" ? null : Promise.reject(error)));
      if (created) changes.push("recreated");
    } else {
      // Restored like any change: new claims make older tokens stale (claimsVersion), a new password
      // ends what the old one started (credentialEpoch).
      const data: { claims?: string; disabledAt?: null; passwordHash?: string; claimsVersion?: { increment: 1 }; claimsChangedAt?: Date; credentialEpoch?: { increment: 1 } } = {};
      if (!sameClaims(user.claims, demo.claims)) {
        Object.assign(data, { claims: JSON.stringify(demo.claims), claimsVersion: { increment: 1 }, claimsChangedAt: new Date() });
        changes.push("claims");
      }
      if (user.disabledAt !== null) {
        data.disabledAt = null;
        changes.push("enabled");
      }
      if (!(await options.verifyPassword(user.passwordHash, demo.password))) {
        Object.assign(data, { passwordHash: await options.hashPassword(demo.password), credentialEpoch: { increment: 1 } });
        changes.push("password");
      }
      if (Object.keys(data).length > 0) await db.user.update({ where: { id: user.id }, data });
    }
    // Failed-login records for the account, alone and per client address.
    const count = await options.forgetFailedLogins(demo.email);
    if (count > 0) changes.push("failed logins forgotten");
    if (changes.length > 0) restored.push(`${demo.email}: ${changes.join(", ")}`);
  }
  return { created: false, restored };
}

function sameClaims(stored: string, documented: object): boolean {
  try {
    return JSON.stringify(JSON.parse(stored)) === JSON.stringify(documented);
  } catch {
    return false;
  }
}

/** One transaction; returns false when another process created them first. */
async function createDemoData(options: SeedDemoDataOptions): Promise<boolean> {
  const { db } = options;
  const hashes = await Promise.all(DEMO_USERS.map((user) => options.hashPassword(user.password)));
  // A second process seeding the same new database at the same moment fails on the unique
  // email and leaves the first one's data as it is.
  let created;
  try {
    created = await db.$transaction(
      DEMO_USERS.map((user, i) => db.user.create({ data: { email: user.email, passwordHash: hashes[i]!, claims: JSON.stringify(user.claims), emailVerifiedAt: new Date() } })),
    );
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return false;
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
  return true;
}

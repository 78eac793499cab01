// The development loop: demo accounts restored at every start, `npm run db:reset`, and database
// commands that say what to do while a server holds the database.
import { itOnSqlite } from "../support/test-database.js";
import { emailKey } from "../../src/auth/throttle-keys.js";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords.js";
import { databaseInUse } from "../../src/db/database-in-use.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { DEMO_USERS } from "../../src/db/seed-demo-data.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { createServices } from "../../src/server/create-services.js";
import { startTestServer } from "../support/test-server.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "claimgate-dev-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const run = promisify(execFile);
async function script(file: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, file)], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("demo accounts", () => {
  it("are put back as documented at every start: password, claims, enabled, failed logins, deleted", async () => {
    const dataDir = join(scratch, "demo");
    const logs: string[] = [];
    const config = parseConfig({ NODE_ENV: "development", DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url") });
    const open = () =>
      createServices({ config, logger: pino({ level: "info" }, { write: (line: string) => void logs.push(line) }), clock: () => new Date() });

    const first = await open();
    const alice = await first.db.user.findUniqueOrThrow({ where: { email: DEMO_USERS[0].email } });
    const bob = await first.db.user.findUniqueOrThrow({ where: { email: DEMO_USERS[1].email } });
    await first.db.user.update({ where: { id: alice.id }, data: { claims: JSON.stringify({ role: "user" }), passwordHash: await hashPassword("changed-password-123") } });
    await first.accounts.setDisabled({ kind: "cli", id: null }, alice.id, true);
    await first.db.loginThrottle.create({ data: { key: `account:${emailKey(DEMO_USERS[0].email)}`, failures: 5, windowStart: new Date(), lockedUntil: new Date(Date.now() + 3_600_000) } });
    await first.accounts.delete({ kind: "cli", id: null }, bob.id);
    await first.close();
    expect(logs.join("")).not.toContain("demo_accounts_restored");

    const second = await open();
    try {
      const restored = logs.map((line) => JSON.parse(line)).find((entry) => entry.event === "demo_accounts_restored");
      expect(restored.restored).toEqual([
        "alice@example.com: claims, enabled, password, failed logins forgotten",
        "bob@example.com: recreated",
      ]);
      for (const demo of DEMO_USERS) {
        const tokens = await second.accounts.login(demo.email, demo.password, { ip: "127.0.0.1" });
        expect(tokens.accessToken).toEqual(expect.any(String));
        const user = await second.db.user.findUniqueOrThrow({ where: { email: demo.email } });
        // Permissions come from the demo roles: the accounts' own claims are empty.
        expect(JSON.parse(user.claims)).toEqual({});
        const roles = await second.db.userRole.findMany({ where: { userId: user.id }, include: { role: true } });
        expect(roles.map((held) => held.role.name)).toEqual([...demo.roles]);
      }
    } finally {
      await second.close();
    }
  });
});

describe("database commands beside a running server", () => {
  itOnSqlite("a server holding the SQLite file open; on PostgreSQL, db:reset runs beside servers")("db:reset refuses outside development and while a server has the database open, then recreates it", async () => {
    const t = await startTestServer({ NODE_ENV: "development" });
    const env = { NODE_ENV: "development", DATA_DIR: t.dataDir, JWT_SECRET: "", DATABASE_URL: "" };
    try {
      await t.gql(`mutation { register(email: "mine@example.com", password: "mine-password-123") { tokenType } }`);
      expect(databaseInUse(join(t.dataDir, "claimgate.db"))).toBe(true);
      const [busy, production] = await Promise.all([
        script("src/cli/reset-database.ts", env),
        script("src/cli/reset-database.ts", { ...env, NODE_ENV: "production" }),
      ]);
      expect(busy).toMatchObject({
        code: 1,
        stderr: `db:reset: ${join(t.dataDir, "claimgate.db")} is open in a running claimgate server: stop it (Ctrl-C), run \`npm run db:reset\`, then start it again\n`,
      });
      expect(production).toMatchObject({ code: 1, stderr: "db:reset: deletes every account and post, so it runs only in development (NODE_ENV is production)\n" });
    } finally {
      await t.server.stop();
    }
    expect(databaseInUse(join(t.dataDir, "claimgate.db"))).toBe(false);
    const reset = await script("src/cli/reset-database.ts", env);
    expect(reset).toMatchObject({ code: 0, stdout: `reset ${join(t.dataDir, "claimgate.db")}: migrations applied, demo accounts and posts created\n` });
    const migrate = await script("src/cli/migrate.ts", env);
    expect(migrate).toMatchObject({ code: 0, stdout: "the database is up to date\n" });

    const config = parseConfig({ ...env, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "false" });
    const services = await createServices({ config, logger: pino({ level: "silent" }), clock: () => new Date() });
    try {
      const emails = (await services.db.user.findMany({ orderBy: { email: "asc" } })).map((user) => user.email);
      expect(emails).toEqual(["alice@example.com", "bob@example.com"]);
      expect(await services.db.post.count()).toBe(3);
    } finally {
      await services.close();
      await rm(t.dataDir, { recursive: true, force: true });
    }
  });
});

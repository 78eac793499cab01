// The command line, run in-process (runCli) against the database and keys of a running server,
// plus a few real processes: `npx claimgate` without a build, and `.env` in the working folder.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailKey } from "../../src/auth/throttle-keys.js";
import { runCli } from "../../src/cli/run-cli.js";
import { loadConfig } from "../../src/config/load-config.js";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { describeOnSqlite } from "../support/test-database.js";
import { firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
let scratch: string;
beforeAll(async () => {
  // Sessions ended by the CLI reach the server at its next sync: the shortest interval.
  t = await startTestServer({ REVOCATION_SYNC_INTERVAL: "1s" });
  scratch = await mkdtemp(join(tmpdir(), "claimgate-cli-"));
});
afterAll(async () => {
  await t.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
    env: { ...t.env, SEED_DEMO_USERS: "false", ...env },
    clock: t.clock,
  });
  return { code, stdout, stderr };
}

const execFileAsync = promisify(execFile);
/** Runs a process; an `env` value of undefined removes that variable (vitest itself sets NODE_ENV). */
async function cliProcess(command: string, args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: options.cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("claimgate CLI", () => {
  it("help lists every command; each area has --help; misuse exits 2 with the area's help", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["create", "list", "grant", "revoke", "disable", "enable", "delete", "unlock"]) {
      expect(help.stdout).toMatch(new RegExp(`^  user ${command} `, "m"));
    }
    for (const command of ["token decode", "token mint", "keys generate", "authz report"]) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    for (const area of ["token", "user", "authz", "keys"]) {
      const { code, stdout } = await cli([area, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: claimgate ${area}`));
    }
    const misuse = await cli(["user", "frobnicate"]);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/^claimgate: unknown user command "frobnicate"\n\nUsage: claimgate user/);
    const unknownOption = await cli(["user", "list", "--colour"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/^claimgate: Unknown option '--colour'/);
    const misplaced = await cli(["user", "list", "--email", "x@example.com"]);
    expect(misplaced).toMatchObject({ code: 2, stderr: expect.stringMatching(/^claimgate: user list takes no --email/) });
    expect((await cli([])).code).toBe(2);
    expect(await cli(["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^claimgate \d+\.\d+\.\d+ \(Node \d+\.\d+\.\d+\)\n$/) });
    expect((await cli(["constructor"])).stderr).toMatch(/^claimgate: unknown area "constructor"/);
  });

  it("user create | grant | revoke | list: list claims stay lists", async () => {
    const created = await cli([
      "user", "create", "--email", "Cli@Example.com", "--password", "cli-password-123",
      "--claim", "permissions+=posts:read", "--claim", "team=blue",
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created cli@example.com \(.+\) with claims \{"permissions":\["posts:read"\],"team":"blue"\}\n$/);

    const granted = await cli(["user", "grant", "cli@example.com", "permissions+=posts:write", "role=editor"]);
    expect(granted.stdout).toBe('cli@example.com: {"permissions":["posts:read","posts:write"],"team":"blue","role":"editor"}\n');
    const wrongShape = await cli(["user", "grant", "cli@example.com", "permissions=posts:delete"]);
    expect(wrongShape).toMatchObject({ code: 1, stderr: "claimgate: permissions is a list; add an item with permissions+=posts:delete\n" });
    expect((await cli(["user", "revoke", "cli@example.com", "role", "team"])).stdout).toBe('cli@example.com: {"permissions":["posts:read","posts:write"]}\n');

    const { accessToken } = await t.login("cli@example.com", "cli-password-123");
    const post = await t.gql(`mutation { createPost(input: { title: "Via CLI grant", body: "." }) { title } }`, { token: accessToken });
    expect(post.body.data).toEqual({ createPost: { title: "Via CLI grant" } });

    const list = await cli(["user", "list"]);
    expect(list.stdout).toMatch(/^EMAIL\s+ID\s+STATUS\s+CLAIMS\n/);
    expect(list.stdout).toMatch(/^cli@example.com\s+\S+\s+active\s+\{"permissions":\["posts:read","posts:write"\]\}$/m);
  });

  it("refuses bad input with a clear message and exit 1", async () => {
    const reserved = await cli(["user", "grant", "alice@example.com", "sub=someone"]);
    expect(reserved).toMatchObject({ code: 1, stderr: expect.stringMatching(/^claimgate: sub is a registered claim/) });
    const missing = await cli(["user", "disable", "nobody@example.com"]);
    expect(missing).toMatchObject({ code: 1, stderr: "claimgate: no account has the email nobody@example.com\n" });
    const weak = await cli(["user", "create", "--email", "weak@example.com", "--password", "short"]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^claimgate: .*at least/);
  });

  it("user disable ends the account's sessions; enable lets it log in again", async () => {
    const bob = await t.login("bob@example.com", "bob-password-123");
    const disabled = await cli(["user", "disable", "bob@example.com"]);
    expect(disabled.stdout).toMatch(/^bob@example.com is disabled; [1-9]\d* session\(s\) ended\n$/);
    // The server learns of sessions ended by another process at its next sync (1 s here).
    await expect.poll(async () => (await t.gql("{ me { id } }", { token: bob.accessToken })).status, { timeout: 10_000, interval: 100 }).toBe(401);
    expect(firstError(await t.gql(`mutation { login(email: "bob@example.com", password: "bob-password-123") { tokenType } }`))).toMatchObject({
      code: "FORBIDDEN",
      reason: "ACCOUNT_DISABLED",
    });
    expect(await cli(["user", "enable", "bob@example.com"])).toMatchObject({ code: 0, stdout: "bob@example.com is enabled\n" });
    await t.login("bob@example.com", "bob-password-123");
  });

  it("user unlock forgets an account's failed logins (account and account+IP records), and nothing else", async () => {
    await cli(["user", "create", "--email", "locked@example.com", "--password", "locked-password-123"]);
    const wrong = `mutation { login(email: "locked@example.com", password: "wrong-password-123") { tokenType } }`;
    for (let i = 0; i < 5; i++) await t.gql(wrong);
    const locked = await t.gql(`mutation { login(email: "locked@example.com", password: "locked-password-123") { tokenType } }`);
    expect(firstError(locked)).toMatchObject({ reason: "LOGIN_THROTTLED" });

    const { db } = t.server.services;
    const lockedUntil = new Date(Date.now() + 3_600_000);
    // Counters name an address by its hash (see auth/throttle-keys.ts).
    const otherKeys = [`pair:${emailKey("locked@example.com.evil")}|10.0.0.1`, "ip:10.0.0.1", `account:${emailKey("other@example.com")}`];
    for (const key of [`pair:${emailKey("locked@example.com")}|10.0.0.1`, ...otherKeys]) {
      await db.loginThrottle.create({ data: { key, failures: 9, windowStart: new Date(), lockedUntil } });
    }
    const unlocked = await cli(["user", "unlock", "Locked@Example.com"]);
    // The account's own counter, its pair with 127.0.0.1 (the failed logins above) and with 10.0.0.1.
    expect(unlocked).toMatchObject({ code: 0, stdout: "locked@example.com is unlocked (3 failure record(s) removed)\n" });
    expect((await db.loginThrottle.findMany({ where: { key: { in: otherKeys } } })).length).toBe(otherKeys.length);
    await t.login("locked@example.com", "locked-password-123");
    expect((await cli(["user", "unlock", "locked@example.com"])).stdout).toBe("locked@example.com had no failed logins on record\n");
  });

  it("user delete removes an account", async () => {
    await cli(["user", "create", "--email", "gone@example.com", "--password", "gone-password-123"]);
    const deleted = await cli(["user", "delete", "gone@example.com"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "gone@example.com is deleted; 0 session(s) ended\n" });
    expect((await cli(["user", "list"])).stdout).not.toContain("gone@example.com");
  });

  it("creates the first administrator in production without a signing secret, and writes no key", async () => {
    const dataDir = join(scratch, "production");
    const env = { NODE_ENV: "production", DATA_DIR: dataDir, JWT_SECRET: "", LOG_LEVEL: "silent" };
    const created = await cli(["user", "create", "--email", "admin@example.com", "--password", "admin-password-123", "--claim", "role=admin"], env);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect((await cli(["user", "list"], env)).stdout).toMatch(/^admin@example.com\s+\S+\s+active\s+\{"role":"admin"\}$/m);
    await expect(stat(join(dataDir, "development-jwt-secret"))).rejects.toMatchObject({ code: "ENOENT" });
    // Verifying a token does need keys, and the message says which settings give them.
    const token = (await cli(["token", "mint", "--sub", "x"], { NODE_ENV: "development" })).stdout.trim();
    const decoded = await cli(["token", "decode", token], env);
    expect(decoded.code).toBe(1);
    expect(decoded.stderr).toMatch(/^claimgate: Invalid configuration:\n  - JWT_KEYS_FILE \(create one with `claimgate keys generate --out <file>`\), JWT_KEYS or JWT_SECRET .* is required in production\n$/);
  });

  it("token mint signs a token the server accepts; token decode shows and verifies it", async () => {
    const minted = await cli(["token", "mint", "--sub", "someone", "--claim", "role=admin", "--claim", "permissions+=posts:read", "--ttl", "2m"], {
      NODE_ENV: "development",
    });
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    const viewer = await t.gql("{ viewer { authenticated subject claims } }", { token });
    expect(viewer.body.data!["viewer"]).toMatchObject({
      authenticated: true,
      subject: "someone",
      claims: expect.objectContaining({ role: "admin", permissions: ["posts:read"] }),
    });

    const decoded = await cli(["token", "decode", token]);
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toMatch(/"alg": "HS256"/);
    expect(decoded.stdout).toMatch(/Expires:\s+\d{4}-\d\d-\d\dT.*\(in (1|2) min\)/);
    expect(decoded.stdout).toContain("Verifies: yes");

    const tampered = await cli(["token", "decode", `${token.slice(0, -3)}abc`]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain("Verifies: no (TOKEN_INVALID): The access token is invalid: its signature does not verify.");
  });

  it("token mint is refused outside development", async () => {
    const refused = await cli(["token", "mint", "--sub", "x"], { NODE_ENV: "production" });
    expect(refused).toMatchObject({ code: 1, stderr: "claimgate: token mint is refused outside development (NODE_ENV=production)\n" });
  });

  it("keys generate writes a key ring (mode 0600) that the server's configuration loads, and never overwrites it", async () => {
    const out = join(scratch, "keys.json");
    const generated = await cli(["keys", "generate", "--out", out, "--kid", "test-key"]);
    expect(generated).toMatchObject({ code: 0, stdout: `wrote the ES256 key "test-key" to ${out} (mode 0600)\nstart the server with JWT_KEYS_FILE=${out}\n` });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const config = loadConfig({ env: { NODE_ENV: "production", JWT_KEYS_FILE: out, REQUIRE_EMAIL_VERIFICATION: "false" } });
    expect(config.tokens.keyRing?.keys).toEqual([expect.objectContaining({ kid: "test-key", alg: "ES256", publicKey: null })]);

    const env = { JWT_SECRET: "", JWT_KEYS_FILE: out, NODE_ENV: "development" };
    const token = (await cli(["token", "mint", "--sub", "k"], env)).stdout.trim();
    const decoded = await cli(["token", "decode", token], env);
    expect(decoded.stdout).toMatch(/"kid": "test-key"/);
    expect(decoded.stdout).toContain("Verifies: yes");

    const before = await readFile(out, "utf8");
    const again = await cli(["keys", "generate", "--out", out]);
    expect(again).toMatchObject({ code: 1, stderr: `claimgate: ${out} already exists; keys generate never overwrites a key ring (choose another --out)\n` });
    expect(await readFile(out, "utf8")).toBe(before);
    expect((await cli(["keys", "generate", "--out", join(scratch, "x.json"), "--alg", "HS512"])).code).toBe(2);
  });

  it("authz report lists effective requirements and who can call what", async () => {
    const table = await cli(["authz", "report"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Post\.secretNote\s+role=admin\n/);
    expect(table.stdout).toMatch(/Post\s+each object: permissions=posts:read and the post's published is true, or sub = the post's authorId, or role=admin/);
    expect(table.stdout).toMatch(/Post\.title\s+whoever may read the Post/);
    expect(table.stdout).toMatch(/CreatePostInput\.secretNote\s+supplying it: role=admin/);
    expect(table.stdout).toMatch(/Query\.me\s+any valid access token/);
    expect(table.stdout).toMatch(/Query\.drafts\s+sub = the authorId argument, or role=admin/);
    expect(table.stdout).toMatch(/Query\.post\s+any valid access token; not enforced: permissions=posts:read/);
    expect(table.stdout).toContain(
      "Callable by anyone: Mutation.login, Mutation.logout, Mutation.refresh, Mutation.register, Mutation.renewConnection, Mutation.requestPasswordReset, Mutation.resetPassword, Mutation.verifyEmail, Query.viewer",
    );

    const markdown = await cli(["authz", "report", "--markdown"]);
    expect(markdown.stdout).toContain("| `Post.secretNote` | role=admin |");
    expect(markdown.stdout).toContain("| `Mutation.createPost` | permissions=posts:write |");
  });
});

// Two processes at once: each mostly waits for Node and tsx to start. Neither opens PostgreSQL
// (`--help`; a .env naming a SQLite DATA_DIR), so the PostgreSQL pass would repeat them exactly.
describeOnSqlite("opens no PostgreSQL database: the same run as on the SQLite pass")("claimgate as a real process", { concurrent: true }, () => {
  it("`npx claimgate` runs in this repository without a build", async () => {
    const { code, stdout } = await cliProcess("npx", ["--no-install", "claimgate", "--help"], { cwd: PROJECT_ROOT });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: claimgate <area> <command>/);
  });

  it("reads .env in the working folder; a variable set in the environment wins", async () => {
    const folder = join(scratch, "with-dotenv");
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder);
    await writeFile(join(folder, ".env"), `# written by the test\nDATA_DIR=${join(folder, "from-dotenv")}\nNODE_ENV="production"\n`);
    const bin = join(PROJECT_ROOT, "bin", "claimgate.js");
    const created = await cliProcess(process.execPath, [bin, "user", "create", "--email", "env@example.com", "--password", "env-password-123"], {
      cwd: folder,
      env: { DATA_DIR: undefined, NODE_ENV: undefined, DATABASE_URL: undefined },
    });
    expect(created).toMatchObject({ code: 0, stderr: "" });
    await stat(join(folder, "from-dotenv", "claimgate.db"));

    const overridden = await cliProcess(process.execPath, [bin, "user", "list"], {
      cwd: folder,
      env: { DATA_DIR: join(folder, "from-environment"), NODE_ENV: undefined, DATABASE_URL: undefined },
    });
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).not.toContain("env@example.com");
    await stat(join(folder, "from-environment", "claimgate.db"));
  });
});

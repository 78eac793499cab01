// The real command line, run as a process against the database and keys of a running server.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/cli/claimgate.ts"), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...t.env, SEED_DEMO_USERS: "false", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("claimgate CLI", () => {
  it("has --help on every area, and exits 2 on misuse", async () => {
    for (const area of ["token", "user", "authz"]) {
      const { code, stdout } = await cli([area, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: claimgate ${area}`));
    }
    const misuse = await cli(["user", "frobnicate"]);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/^claimgate: unknown user command "frobnicate"/);
    expect((await cli([])).code).toBe(2);
  });

  it("user create | grant | revoke | list work on the server's database", async () => {
    const created = await cli(["user", "create", "--email", "Cli@Example.com", "--password", "cli-password-123", "--claim", "permissions=posts:read"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created cli@example.com \(.+\) with claims \{"permissions":"posts:read"\}/);

    expect((await cli(["user", "grant", "cli@example.com", "permissions=posts:write", "role=editor"])).stdout).toContain(
      'cli@example.com: {"permissions":["posts:read","posts:write"],"role":"editor"}',
    );
    expect((await cli(["user", "revoke", "cli@example.com", "role"])).stdout).toContain('{"permissions":["posts:read","posts:write"]}');

    const { accessToken } = await t.login("cli@example.com", "cli-password-123");
    const post = await t.gql(`mutation { createPost(input: { title: "Via CLI grant", body: "." }) { title } }`, { token: accessToken });
    expect(post.body.data).toEqual({ createPost: { title: "Via CLI grant" } });

    const list = await cli(["user", "list"]);
    expect(list.stdout).toMatch(/^EMAIL\s+ID\s+STATUS\s+CLAIMS/);
    expect(list.stdout).toMatch(/cli@example.com\s+\S+\s+active/);
  });

  it("refuses bad input with a clear message and exit 1", async () => {
    const reserved = await cli(["user", "grant", "alice@example.com", "sub=someone"]);
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toMatch(/sub is a registered claim/);
    const missing = await cli(["user", "disable", "nobody@example.com"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("claimgate: no account has the email nobody@example.com\n");
  });

  it("user disable ends the account's sessions; enable lets it log in again", async () => {
    const bob = await t.login("bob@example.com", "bob-password-123");
    const disabled = await cli(["user", "disable", "bob@example.com"]);
    expect(disabled.stdout).toMatch(/bob@example.com is disabled; [1-9]\d* session\(s\) ended/);
    await t.server.services.db.$queryRawUnsafe("SELECT 1");
    // The server learns of sessions ended by another process at its next sync.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await t.gql("{ me { id } }", { token: bob.accessToken })).status).toBe(401);
    expect(firstError(await t.gql(`mutation { login(email: "bob@example.com", password: "bob-password-123") { tokenType } }`))).toMatchObject({
      reason: "ACCOUNT_DISABLED",
    });
    expect((await cli(["user", "enable", "bob@example.com"])).code).toBe(0);
    await t.login("bob@example.com", "bob-password-123");
  });

  it("user delete removes an account", async () => {
    await cli(["user", "create", "--email", "gone@example.com", "--password", "gone-password-123"]);
    const deleted = await cli(["user", "delete", "gone@example.com"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe("gone@example.com is deleted; 0 session(s) ended\n");
    expect((await cli(["user", "list"])).stdout).not.toContain("gone@example.com");
  });

  it("token mint signs a token the server accepts; token decode shows and verifies it", async () => {
    const minted = await cli(["token", "mint", "--sub", "someone", "--claim", "role=admin", "--ttl", "2m"], { NODE_ENV: "development" });
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    const viewer = await t.gql("{ viewer { authenticated subject claims } }", { token });
    expect(viewer.body.data!["viewer"]).toMatchObject({ authenticated: true, subject: "someone", claims: expect.objectContaining({ role: "admin" }) });

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
    const refused = await cli(["token", "mint", "--sub", "x"], { NODE_ENV: "production", SEED_DEMO_USERS: "false" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("claimgate: token mint is refused outside development (NODE_ENV=production)\n");
  });

  it("authz report lists effective requirements and who can call what", async () => {
    const table = await cli(["authz", "report"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Post\.secretNote\s+permissions=posts:read AND role=admin/);
    expect(table.stdout).toMatch(/Query\.me\s+any valid access token/);
    expect(table.stdout).toMatch(/Query\.drafts\s+sub=\{authorId\}/);
    expect(table.stdout).toContain(
      "Callable by anyone: Mutation.login, Mutation.logout, Mutation.refresh, Mutation.register, Mutation.renewConnection, Mutation.requestPasswordReset, Mutation.resetPassword, Mutation.verifyEmail, Query.viewer",
    );

    const markdown = await cli(["authz", "report", "--markdown"]);
    expect(markdown.stdout).toContain("| `Post.secretNote` | permissions=posts:read AND role=admin |");
  });
});

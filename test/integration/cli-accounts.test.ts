// The command line's account-security commands, run as a real process on a running server's database.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/cli/claimgate.ts"), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...t.env, SEED_DEMO_USERS: "false" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("claimgate user unlock and claimgate audit", () => {
  it("unlock lifts a lock strangers caused, and audit shows it with the claim changes made from the CLI", async () => {
    const login = () => t.gql(`mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { tokenType } }`, { variables: { e: BOB.email, p: "wrong-password" } });
    for (let i = 0; i < 5; i++) await login();
    expect(firstError(await login()).reason).toBe("LOGIN_THROTTLED");

    const unlocked = await cli(["user", "unlock", "BOB@example.com"]);
    expect(unlocked).toMatchObject({ code: 0, stdout: "bob@example.com: 2 lock counter(s) cleared\n" });
    await t.login(BOB.email, BOB.password);

    expect((await cli(["user", "grant", BOB.email, "permissions=posts:write"])).code).toBe(0);
    const audit = await cli(["audit", "--user", BOB.email]);
    expect(audit.code).toBe(0);
    const lines = audit.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}claims_changed {5}by cli {2}user \S+ {2}\{\} -> \{"permissions":"posts:write"\}$/);
    expect(lines[1]).toMatch(/ account_unlocked {3}by cli {2}user \S+  null -> \{"email":"bob@example.com","countersCleared":2\}$/);
    const json = JSON.parse((await cli(["audit", "--json", "--limit", "1"])).stdout);
    expect(json).toEqual([expect.objectContaining({ action: "claims_changed", actorKind: "cli", actorId: null })]);
    expect((await cli(["audit", "--limit", "zero"])).code).toBe(2);
  });
});

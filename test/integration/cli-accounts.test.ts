// The command line's account-security commands, run in-process (runCli) on a running server's database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
    env: { ...t.env, SEED_DEMO_USERS: "false" },
    clock: t.clock,
  });
  return { code, stdout, stderr };
}

describe("claimgate user unlock and claimgate audit", () => {
  it("unlock lifts a lock strangers caused, and audit shows it with the claim changes made from the CLI", async () => {
    const login = () => t.gql(`mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { tokenType } }`, { variables: { e: BOB.email, p: "wrong-password" } });
    for (let i = 0; i < 5; i++) await login();
    expect(firstError(await login()).reason).toBe("LOGIN_THROTTLED");

    const unlocked = await cli(["user", "unlock", "BOB@example.com"]);
    expect(unlocked).toMatchObject({ code: 0, stdout: "bob@example.com is unlocked (2 failure record(s) removed)\n" });
    await t.login(BOB.email, BOB.password);

    expect((await cli(["user", "grant", BOB.email, "permissions+=posts:write"])).code).toBe(0);
    const audit = await cli(["audit", "--user", BOB.email]);
    expect(audit.code).toBe(0);
    const lines = audit.stdout.trim().split("\n");
    // bob's permissions come from his role: his own claims start empty.
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}claims_changed {5}by cli {2}user \S+ {2}\{\} -> \{"permissions":\["posts:write"\]\}$/);
    // The audit log keeps no email: the unlock names the account by id.
    expect(lines[1]).toMatch(/ account_unlocked {3}by cli {2}user [0-9a-f-]{36}$/);
    const json = JSON.parse((await cli(["audit", "--json", "--limit", "1"])).stdout);
    expect(json).toEqual([expect.objectContaining({ action: "claims_changed", actorKind: "cli", actorId: null })]);
    expect((await cli(["audit", "--limit", "zero"])).code).toBe(2);
  });
});

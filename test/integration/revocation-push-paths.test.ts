// Issue 14, found in review: every path that invalidates access tokens, taken through one server (or the
// CLI), must be refused by ANOTHER server on the same PostgreSQL within a second, with the
// fallback poll set to a minute so only the push (LISTEN/NOTIFY) can deliver it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { describeOnPostgres } from "../support/test-database.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const PUSH_BOUND_MS = 1000;
const REGISTER = `mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { accessToken refreshToken user { id } } } }`;

describeOnPostgres("pushed changes are PostgreSQL's; SQLite polls")("every token-invalidating path is pushed to the other processes", () => {
  let a: TestServer;
  let b: TestServer;
  let admin: string;
  let n = 0;
  beforeAll(async () => {
    const slowPoll = { REVOCATION_SYNC_INTERVAL: "60s", REVOCATION_FALLBACK_INTERVAL: "60s" };
    a = await startTestServer(slowPoll);
    b = await startTestServer({ ...slowPoll, DATA_DIR: a.dataDir, JWT_SECRET: a.env["JWT_SECRET"]! });
    admin = (await a.login(ALICE.email, ALICE.password)).accessToken;
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  async function newUser() {
    const email = `push-${++n}@example.com`;
    const password = "push-password-123";
    const { body } = await a.gql(REGISTER, { variables: { e: email, p: password } });
    const auth = body.data!["register"].auth;
    // B accepts the token before the change.
    expect((await b.gql("{ me { id } }", { token: auth.accessToken })).status).toBe(200);
    return { email, password, id: auth.user.id as string, accessToken: auth.accessToken as string, refreshToken: auth.refreshToken as string };
  }

  /** Whether B refuses the token within the bound. */
  async function refusedByB(token: string): Promise<boolean> {
    const since = Date.now();
    while (Date.now() - since < PUSH_BOUND_MS) {
      if ((await b.gql("{ me { id } }", { token })).status === 401) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  const adminDoes = (query: string, variables: Record<string, unknown>) => a.gql(query, { token: admin, variables }).then((r) => expect(r.body.errors).toBeUndefined());

  it("logout, logoutAll, revokeUserSessions, changePassword, disable and delete", async () => {
    const outcomes: Record<string, boolean> = {};
    let u = await newUser();
    await a.gql(`mutation ($r: String!) { logout(refreshToken: $r) }`, { variables: { r: u.refreshToken } });
    outcomes["logout"] = await refusedByB(u.accessToken);

    u = await newUser();
    await a.gql(`mutation { logoutAll }`, { token: u.accessToken });
    outcomes["logoutAll"] = await refusedByB(u.accessToken);

    u = await newUser();
    await adminDoes(`mutation ($id: ID!) { revokeUserSessions(userId: $id) }`, { id: u.id });
    outcomes["revokeUserSessions"] = await refusedByB(u.accessToken);

    u = await newUser();
    const second = await a.login(u.email, u.password);
    await a.gql(`mutation { changePassword(currentPassword: "${u.password}", newPassword: "push-password-456") }`, { token: second.accessToken });
    outcomes["changePassword (other session)"] = await refusedByB(u.accessToken);

    u = await newUser();
    await adminDoes(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }`, { id: u.id });
    outcomes["setUserDisabled"] = await refusedByB(u.accessToken);

    u = await newUser();
    await adminDoes(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { id: u.id });
    outcomes["deleteUser"] = await refusedByB(u.accessToken);

    u = await newUser();
    const code = await runCli(["user", "disable", u.email], { io: { out: () => undefined, err: () => undefined }, env: a.env });
    expect(code).toBe(0);
    outcomes["CLI user disable"] = await refusedByB(u.accessToken);

    expect(outcomes).toEqual(Object.fromEntries(Object.keys(outcomes).map((key) => [key, true])));
  });

  it("claims and role changes", async () => {
    const outcomes: Record<string, boolean> = {};
    let u = await newUser();
    await adminDoes(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { plan: "pro" }) { id } }`, { id: u.id });
    outcomes["setUserClaims"] = await refusedByB(u.accessToken);

    u = await newUser();
    await adminDoes(`mutation ($id: ID!) { grantRole(userId: $id, role: "reader") { id } }`, { id: u.id });
    outcomes["grantRole"] = await refusedByB(u.accessToken);

    // The holder refreshes to get a token carrying the role, then the role changes or goes.
    await adminDoes(`mutation { createRole(name: "push-role", input: { permissions: ["posts:read"] }) { name } }`, {});
    for (const [name, change] of [
      ["revokeRole", (id: string) => adminDoes(`mutation ($id: ID!) { revokeRole(userId: $id, role: "push-role") { id } }`, { id })],
      ["updateRole", () => adminDoes(`mutation { updateRole(name: "push-role", input: { permissions: [] }) { name } }`, {})],
      ["deleteRole", () => adminDoes(`mutation { deleteRole(name: "push-role") }`, {})],
    ] as const) {
      u = await newUser();
      await adminDoes(`mutation ($id: ID!) { grantRole(userId: $id, role: "push-role") { id } }`, { id: u.id });
      const withRole = await a.login(u.email, u.password);
      expect((await b.gql("{ me { id } }", { token: withRole.accessToken })).status).toBe(200);
      await change(u.id);
      outcomes[name] = await refusedByB(withRole.accessToken);
    }
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(outcomes).map((key) => [key, true])));
  });
});

// Roles that grant permissions: tokens carry role, roles and the expanded permissions; changing a
// role reaches its holders' tokens (refused as expired, then refreshed with the new claims).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
let admin: string;
beforeAll(async () => {
  t = await startTestServer({ REVOCATION_SYNC_INTERVAL: "1s" });
  admin = (await t.login(ALICE.email, ALICE.password)).accessToken;
});
afterAll(() => t.stop());

const CLAIMS = "{ viewer { claims tokenError { reason } } }";
const claimsOf = async (token: string) => (await t.gql(CLAIMS, { token })).body.data!["viewer"];
const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { accessToken refreshToken user { id roles } } }`;

async function refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken: string; user: { id: string; roles: string[] } }> {
  const { body } = await t.gql(REFRESH, { variables: { r: refreshToken } });
  if (!body.data?.["refresh"]) throw new Error(JSON.stringify(body.errors));
  return body.data["refresh"];
}

/**
 * The command line in-process (runCli), with its own database connection and no share in the
 * server's memory: what it changes reaches the server only through the database, as from another
 * process. Real processes are cli.test.ts's smoke tests.
 */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) },
    env: { ...t.env, SEED_DEMO_USERS: "false" },
    // The server's frozen clock: the changes it reads at its next sync are stamped on its time line.
    clock: t.clock,
  });
  return { code, stdout, stderr };
}

/** Asks until the answer comes or the deadline passes: another process's change arrives at the next sync. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, seconds = 10): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the demo roles", () => {
  it("alice holds admin, bob holds reader: tokens carry role, roles and expanded permissions", async () => {
    expect((await claimsOf(admin)).claims).toMatchObject({ role: "admin", roles: ["admin"], permissions: ["posts:read", "posts:write"] });
    const bob = await t.login(BOB.email, BOB.password);
    expect((await claimsOf(bob.accessToken)).claims).toMatchObject({ role: "reader", roles: ["reader"], permissions: ["posts:read"] });
    const roles = await t.gql("{ roles { name permissions holders } }", { token: admin });
    expect(roles.body.data!["roles"]).toEqual([
      { name: "admin", permissions: ["posts:read", "posts:write"], holders: 1 },
      { name: "reader", permissions: ["posts:read"], holders: 1 },
      { name: "writer", permissions: ["posts:read", "posts:write"], holders: 0 },
    ]);
  });

  it("only administrators manage roles", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    const refused = await t.gql(`mutation { createRole(name: "x", input: { permissions: ["a"] }) { name } }`, { token: bob.accessToken });
    expect(firstError(refused)).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("changing roles reaches tokens", () => {
  it("granting a role: the older token is refused as expired, the refreshed one carries the role", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    const created = await t.gql(`mutation { createRole(name: "editor", input: { permissions: ["posts:write", "posts:edit"], claims: { team: "news" } }) { name holders } }`, {
      token: admin,
    });
    expect(created.body.data).toEqual({ createRole: { name: "editor", holders: 0 } });
    // Roles list in the order they were granted; the test clock is frozen, so move it on.
    t.clock.advance(1);
    const granted = await t.gql(`mutation ($id: ID!) { grantRole(userId: $id, role: "editor") { roles } }`, { token: admin, variables: { id: bob.user.id } });
    expect(granted.body.data).toEqual({ grantRole: { roles: ["reader", "editor"] } });
    expect((await claimsOf(bob.accessToken)).tokenError).toEqual({ reason: "TOKEN_EXPIRED" });
    const next = await refresh(bob.refreshToken);
    expect((await claimsOf(next.accessToken)).claims).toMatchObject({
      role: "reader",
      roles: ["reader", "editor"],
      permissions: ["posts:read", "posts:write", "posts:edit"],
      team: "news",
    });
    const post = await t.gql(`mutation { createPost(input: { title: "by role", body: "granted by editor" }) { id } }`, { token: next.accessToken });
    expect(post.body.errors).toBeUndefined();
  });

  it("removing a permission from a role refuses every holder's older tokens; revoking a role removes it", async () => {
    const bob = await t.login(BOB.email, BOB.password);
    const updated = await t.gql(`mutation { updateRole(name: "editor", input: { permissions: ["posts:edit"] }) { permissions holders } }`, { token: admin });
    expect(updated.body.data).toEqual({ updateRole: { permissions: ["posts:edit"], holders: 1 } });
    expect((await claimsOf(bob.accessToken)).tokenError).toEqual({ reason: "TOKEN_EXPIRED" });
    const next = await refresh(bob.refreshToken);
    expect((await claimsOf(next.accessToken)).claims.permissions).toEqual(["posts:read", "posts:edit"]);
    const refused = await t.gql(`mutation { createPost(input: { title: "no", body: "no" }) { id } }`, { token: next.accessToken });
    expect(firstError(refused)).toMatchObject({ code: "FORBIDDEN" });

    await t.gql(`mutation ($id: ID!) { revokeRole(userId: $id, role: "editor") { roles } }`, { token: admin, variables: { id: bob.user.id } });
    expect((await claimsOf(next.accessToken)).tokenError).toEqual({ reason: "TOKEN_EXPIRED" });
    const after = await refresh(next.refreshToken);
    expect(after.user.roles).toEqual(["reader"]);
    expect((await claimsOf(after.accessToken)).claims).toMatchObject({ roles: ["reader"], permissions: ["posts:read"] });
  });

  it("a role named by a user's own role claim is expanded, and its changes reach that user too", async () => {
    const carol = await t.gql(`mutation { register(email: "carol@example.com", password: "carol-password-123") { auth { user { id } } } }`);
    const id = carol.body.data!["register"].auth.user.id;
    await t.gql(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { role: "writer" }) { id } }`, { token: admin, variables: { id } });
    const session = await t.login("carol@example.com", "carol-password-123");
    expect((await claimsOf(session.accessToken)).claims).toMatchObject({ role: "writer", roles: ["writer"], permissions: ["posts:read", "posts:write"] });
    await t.gql(`mutation { updateRole(name: "writer", input: { permissions: ["posts:read"] }) { holders } }`, { token: admin });
    expect((await claimsOf(session.accessToken)).tokenError).toEqual({ reason: "TOKEN_EXPIRED" });
    await t.gql(`mutation { updateRole(name: "writer", input: { permissions: ["posts:read", "posts:write"] }) { holders } }`, { token: admin });
  });

  it("refuses bad role input with stable reasons", async () => {
    const bad = (query: string) => t.gql(query, { token: admin }).then(firstError);
    expect(await bad(`mutation { createRole(name: "has space", input: {}) { name } }`)).toMatchObject({ reason: "INVALID_ROLE_NAME" });
    expect(await bad(`mutation { createRole(name: "admin", input: {}) { name } }`)).toMatchObject({ reason: "ROLE_EXISTS" });
    expect(await bad(`mutation { createRole(name: "r1", input: { claims: { permissions: ["x"] } }) { name } }`)).toMatchObject({ reason: "RESERVED_CLAIM" });
    expect(await bad(`mutation { createRole(name: "r2", input: { claims: { sub: "x" } }) { name } }`)).toMatchObject({ reason: "RESERVED_CLAIM" });
    expect(await bad(`mutation { createRole(name: "r3", input: { permissions: ["two words"] }) { name } }`)).toMatchObject({ reason: "INVALID_PERMISSIONS" });
    expect(await bad(`mutation { grantRole(userId: "nobody", role: "admin") { id } }`)).toMatchObject({ reason: "USER_NOT_FOUND" });
    expect(await bad(`mutation { deleteRole(name: "nope") }`)).toMatchObject({ reason: "ROLE_NOT_FOUND" });
  });
});

describe("claimgate role", () => {
  it("create, grant, list, update and revoke through the CLI (its own connection) reach the server's tokens within the sync interval", async () => {
    expect(await cli(["role", "create", "auditor", "--permission", "audit:read", "-p", "posts:read", "--description", "Reads the audit log"])).toMatchObject({
      code: 0,
      stdout: 'created auditor: permissions ["audit:read","posts:read"]\n',
    });
    expect((await cli(["role", "grant", BOB.email, "auditor"])).stdout).toBe("auditor granted to bob@example.com\n");
    const bob = await t.login(BOB.email, BOB.password);
    expect((await claimsOf(bob.accessToken)).claims.permissions).toEqual(["posts:read", "audit:read"]);
    const list = await cli(["role", "list"]);
    expect(list.stdout).toMatch(/^auditor\s+1 {2}audit:read posts:read$/m);

    expect((await cli(["role", "update", "auditor", "--permission", "posts:read"])).stdout).toContain("1 holder(s)");
    const refused = await eventually(() => claimsOf(bob.accessToken), (viewer) => viewer.tokenError !== null);
    expect(refused.tokenError).toEqual({ reason: "TOKEN_EXPIRED" });
    const next = await refresh(bob.refreshToken);
    expect((await claimsOf(next.accessToken)).claims.permissions).toEqual(["posts:read"]);

    expect((await cli(["role", "revoke", BOB.email, "auditor"])).stdout).toBe("auditor revoked from bob@example.com\n");
    expect((await cli(["role", "delete", "auditor"])).code).toBe(0);
    // The clock is frozen, so the CLI's events tie with the server's on time: pick them by actor.
    const audit = await t.gql(`{ auditLog(first: 100) { action actorKind } }`, { token: admin });
    const byCli = audit.body.data!["auditLog"].filter((event: { actorKind: string }) => event.actorKind === "cli");
    expect(byCli.map((event: { action: string }) => event.action).sort()).toEqual(["role_changed", "role_created", "role_deleted", "role_granted", "role_revoked"]);
  });

  it("has --help and exits 2 on misuse", async () => {
    expect((await cli(["role", "--help"])).stdout).toContain("Usage: claimgate role");
    expect((await cli(["role", "grant", "only-one"])).code).toBe(2);
    expect((await cli(["role", "create", "x", "--bogus"])).code).toBe(2);
    expect(await cli(["role", "grant", BOB.email, "missing"])).toMatchObject({ code: 1, stderr: expect.stringContaining("no role named") });
  });
});

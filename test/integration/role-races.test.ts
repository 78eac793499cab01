// Issue 14: a role change must bump every holder, including one granted the role while the change
// is under way; otherwise that holder's access token, minted with what the role granted before,
// stays valid in every process until it expires. updateRole reads the holders inside its
// transaction after locking the Role row (src/db/role-row-lock.ts).
// PostgreSQL makes the window deterministic: another connection holds the Role row (FOR NO KEY
// UPDATE), so updateRole waits for it, while grantRole's INSERT into UserRole (a FOR KEY SHARE
// check) goes through.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { closeLocker, openLocker } from "../support/postgres-locker.js";
import { describeOnPostgres } from "../support/test-database.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const REGISTER = `mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { status auth { user { id } } } }`;
const CREATE_ROLE = `mutation ($n: String!, $p: [String!]) { createRole(name: $n, input: { permissions: $p }) { name } }`;
const UPDATE_ROLE = `mutation ($n: String!, $p: [String!]) { updateRole(name: $n, input: { permissions: $p }) { name permissions } }`;
const GRANT = `mutation ($u: ID!, $r: String!) { grantRole(userId: $u, role: $r) { id } }`;

describeOnPostgres("holds the race window open with a PostgreSQL row lock")("a role change racing a grant of that role", () => {
  let t: TestServer;
  let locker: pg.Client;
  beforeAll(async () => {
    t = await startTestServer();
    locker = await openLocker(t);
  });
  afterAll(async () => {
    await closeLocker(locker);
    await t?.stop();
  });

  /**
   * A role `name` granting posts:read; `change` runs while the Role row is held by another
   * connection, and meanwhile the role is granted to a new user who logs in. Returns the change's
   * answer and the grantee's access token, minted while the change was under way.
   */
  async function grantWhileChanging(name: string, email: string, change: (adminToken: string) => Promise<{ body: { data?: Record<string, any> | null; errors?: unknown } }>) {
    const admin = await t.login(ALICE.email, ALICE.password);
    expect((await t.gql(CREATE_ROLE, { variables: { n: name, p: ["posts:read"] }, token: admin.accessToken })).status).toBe(200);
    const registered = await t.gql(REGISTER, { variables: { e: email, p: "grantee-password-123" } });
    const granteeId = registered.body.data!["register"].auth.user.id as string;

    // The change waits for the Role row (it reads the holders only once it holds it).
    await locker.query("BEGIN");
    await locker.query(`SELECT 1 FROM "Role" WHERE "name" = $1 FOR NO KEY UPDATE`, [name]);
    const changing = change(admin.accessToken);
    await waitForLockWait(locker);

    // Meanwhile the role is granted; the grantee's token carries what the role grants today.
    const granted = await t.gql(GRANT, { variables: { u: granteeId, r: name }, token: admin.accessToken });
    expect(granted.status).toBe(200);
    const grantee = await t.login(email, "grantee-password-123");
    expect(JSON.parse(Buffer.from(grantee.accessToken.split(".")[1]!, "base64url").toString())).toMatchObject({ permissions: ["posts:read"] });

    await locker.query("COMMIT");
    return { answer: await changing, token: grantee.accessToken };
  }

  /** The role grants nothing any more, so a token that says it grants posts:read must be refused
   * (clients see a changed-claims refusal as TOKEN_EXPIRED: refresh, see token-verification-error.ts). */
  async function expectRefused(token: string) {
    const stale = await t.gql(`{ posts { id } }`, { token });
    expect(stale.status).toBe(401);
    expect(stale.body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
  }

  it("refuses the access token of a user granted the role while updateRole was under way, once the role no longer grants what it carries", async () => {
    const { answer, token } = await grantWhileChanging("auditor", "carol@example.com", (admin) =>
      t.gql(UPDATE_ROLE, { variables: { n: "auditor", p: [] }, token: admin }),
    );
    expect(answer.body.data?.["updateRole"]).toEqual({ name: "auditor", permissions: [] });
    await expectRefused(token);
  });

  it("refuses the access token of a user granted the role while deleteRole was under way", async () => {
    const { answer, token } = await grantWhileChanging("reviewer", "dave@example.com", (admin) => t.gql(`mutation { deleteRole(name: "reviewer") }`, { token: admin }));
    expect(answer.body.errors).toBeUndefined();
    await expectRefused(token);
  });
});

/** Until some other connection of this database waits for a lock (updateRole's lock of the Role row). */
async function waitForLockWait(client: pg.Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    // pg_stat_activity is read once per transaction unless the snapshot is cleared.
    await client.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("updateRole never waited for the Role row");
}

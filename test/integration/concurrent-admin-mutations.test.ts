// Issue 14: "every guard holds with 50 identical concurrent requests". Identical admin mutations
// at once (a double-submitted admin form) each get a clean answer: the change is made and audited
// once, the others are told it is already made (grant, revoke) or the thing is gone (NOT_FOUND),
// never a 500 from a lost unique or not-found race (PostgreSQL runs them side by side).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const TIMES = 20;

describe("identical role mutations at once", () => {
  let t: TestServer;
  let admin: string;
  let userId: string;
  beforeAll(async () => {
    t = await startTestServer();
    admin = (await t.login(ALICE.email, ALICE.password)).accessToken;
    const registered = await t.gql(`mutation { register(email: "twice@example.com", password: "twice-password-123") { auth { user { id } } } }`);
    userId = registered.body.data!["register"].auth.user.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Status and code of each answer: "200 ok", "200 NOT_FOUND", "500 INTERNAL_SERVER_ERROR", … */
  async function all(query: string, variables: Record<string, unknown> = {}): Promise<string[]> {
    const answers = await Promise.all(Array.from({ length: TIMES }, () => t.gql(query, { token: admin, variables })));
    return answers.map((answer) => `${answer.status} ${answer.body.errors?.[0]?.extensions?.["code"] ?? "ok"}`);
  }
  /** The actions of the newest audit events (of one user's account, when given). */
  async function auditActions(variables: { userId?: string }): Promise<string[]> {
    const answer = await t.gql(`query ($userId: ID) { auditLog(first: 200, userId: $userId) { action } }`, { token: admin, variables });
    return (answer.body.data!["auditLog"] as { action: string }[]).map((event) => event.action);
  }
  const serverErrors = (outcomes: string[]) => outcomes.filter((outcome) => outcome.includes("INTERNAL_SERVER_ERROR"));

  it("grantRole of the same role to the same user: every answer ok, one change audited", async () => {
    const outcomes = await all(`mutation ($id: ID!) { grantRole(userId: $id, role: "writer") { id } }`, { id: userId });
    expect(serverErrors(outcomes)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(TIMES);
    expect((await auditActions({ userId })).filter((action) => action === "role_granted")).toHaveLength(1);
  });

  it("revokeRole of the same role from the same user: every answer ok, one change audited", async () => {
    const outcomes = await all(`mutation ($id: ID!) { revokeRole(userId: $id, role: "writer") { id } }`, { id: userId });
    expect(serverErrors(outcomes)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(TIMES);
    expect((await auditActions({ userId })).filter((action) => action === "role_revoked")).toHaveLength(1);
  });

  it("deleteRole of the same role: one deletes it, the others are told it is gone", async () => {
    await t.gql(`mutation { createRole(name: "twice", input: { permissions: [] }) { name } }`, { token: admin });
    const outcomes = await all(`mutation { deleteRole(name: "twice") }`);
    expect(serverErrors(outcomes)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "200 NOT_FOUND")).toHaveLength(TIMES - 1);
    expect((await auditActions({})).filter((action) => action === "role_deleted")).toHaveLength(1);
  });

  it("deleteUser of the same account: one deletes it (one audit event), the others are told it is gone", async () => {
    const registered = await t.gql(`mutation { register(email: "gone@example.com", password: "gone-password-123") { auth { user { id } } } }`);
    const id = registered.body.data!["register"].auth.user.id as string;
    const outcomes = await all(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { id });
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "200 NOT_FOUND")).toHaveLength(TIMES - 1);
    expect((await auditActions({ userId: id })).filter((action) => action === "account_deleted")).toHaveLength(1);
  });
});

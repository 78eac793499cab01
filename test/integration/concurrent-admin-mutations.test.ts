// Issue 14: "every guard holds with 50 identical concurrent requests". On SQLite (one
// writer) identical role mutations queue and each gets a clean answer; on PostgreSQL they run
// side by side, and the check-then-act in src/domain/roles.ts (setRoleGranted's findUnique then
// create/delete, deleteRole's requireRole then delete) lets the losers hit P2002 / P2025, answered
// as 500 INTERNAL_SERVER_ERROR and logged as server errors. A double-submitted admin form does it.
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
  const serverErrors = (outcomes: string[]) => outcomes.filter((outcome) => outcome.includes("INTERNAL_SERVER_ERROR"));

  it("grantRole of the same role to the same user: no server errors", async () => {
    expect(serverErrors(await all(`mutation ($id: ID!) { grantRole(userId: $id, role: "writer") { id } }`, { id: userId }))).toEqual([]);
  });

  it("revokeRole of the same role from the same user: no server errors", async () => {
    expect(serverErrors(await all(`mutation ($id: ID!) { revokeRole(userId: $id, role: "writer") { id } }`, { id: userId }))).toEqual([]);
  });

  it("deleteRole of the same role: one deletes it, the others are told it is gone", async () => {
    await t.gql(`mutation { createRole(name: "twice", input: { permissions: [] }) { name } }`, { token: admin });
    const outcomes = await all(`mutation { deleteRole(name: "twice") }`);
    expect(serverErrors(outcomes)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(1);
  });

  it("deleteUser of the same account: one deletes it (one audit event), the others are told it is gone", async () => {
    const registered = await t.gql(`mutation { register(email: "gone@example.com", password: "gone-password-123") { auth { user { id } } } }`);
    const id = registered.body.data!["register"].auth.user.id as string;
    const outcomes = await all(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { id });
    expect(outcomes.filter((outcome) => outcome === "200 ok")).toHaveLength(1);
  });
});

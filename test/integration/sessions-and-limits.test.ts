// Session management, brute-force limits and operation limits over real HTTP.
import { hash, parseOptions } from "@node-rs/argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ LOGIN_ACCOUNT_FAILURES: "5", LOGIN_IP_FAILURES: "1000", LOGIN_LOCK: "30s" });
});
afterAll(() => t.stop());

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  t.gql(LOGIN, { variables: { email, password }, headers });
let registered = 0;
async function newUser(password = "a-good-password-123") {
  const email = `user${++registered}-${Date.now()}@example.com`;
  const { body } = await t.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { accessToken refreshToken user { id } } } }`, {
    variables: { e: email, p: password },
  });
  return { email, password, ...(body.data!["register"].auth as { accessToken: string; refreshToken: string; user: { id: string } }) };
}
const meWith = (token: string) => t.gql("{ me { id } }", { token });

describe("sessions", () => {
  it("lists the caller's sessions and marks the current one", async () => {
    const user = await newUser();
    const second = (await login(user.email, user.password, { "user-agent": "claimgate-test/2" })).body.data!["login"];
    const { body } = await t.gql("{ sessions { id current userAgent ip createdAt lastUsedAt } }", { token: second.accessToken });
    expect(body.data!["sessions"]).toHaveLength(2);
    expect(body.data!["sessions"].filter((s: { current: boolean }) => s.current)).toEqual([
      expect.objectContaining({ userAgent: "claimgate-test/2", ip: expect.any(String) }),
    ]);
  });

  it("revokeSession ends another session: its access token stops working at once", async () => {
    const user = await newUser();
    const phone = (await login(user.email, user.password)).body.data!["login"];
    const { body } = await t.gql("{ sessions { id current } }", { token: user.accessToken });
    const phoneSession = body.data!["sessions"].find((s: { current: boolean }) => !s.current).id;
    expect((await meWith(phone.accessToken)).status).toBe(200);

    const revoked = await t.gql("mutation ($id: ID!) { revokeSession(sessionId: $id) }", { token: user.accessToken, variables: { id: phoneSession } });
    expect(revoked.body.data).toEqual({ revokeSession: true });
    const after = await meWith(phone.accessToken);
    expect(after.status).toBe(401);
    expect(firstError(after)).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(firstError(after).message).toMatch(/session has ended/);
    expect((await meWith(user.accessToken)).status).toBe(200);
  });

  it("revokeSession cannot touch someone else's session", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { body } = await t.gql("{ sessions { id } }", { token: owner.accessToken });
    const response = await t.gql("mutation ($id: ID!) { revokeSession(sessionId: $id) }", {
      token: other.accessToken,
      variables: { id: body.data!["sessions"][0].id },
    });
    expect(firstError(response)).toMatchObject({ code: "NOT_FOUND", reason: "SESSION_NOT_FOUND" });
    expect((await meWith(owner.accessToken)).status).toBe(200);
  });

  it("logoutAll ends every session of the caller", async () => {
    const user = await newUser();
    const other = (await login(user.email, user.password)).body.data!["login"];
    expect((await t.gql("mutation { logoutAll }", { token: user.accessToken })).body.data).toEqual({ logoutAll: 2 });
    expect((await meWith(user.accessToken)).status).toBe(401);
    expect((await meWith(other.accessToken)).status).toBe(401);
    expect(firstError(await t.gql(`mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`, { variables: { r: other.refreshToken } }))).toMatchObject({
      reason: "REFRESH_TOKEN_INVALID",
    });
  });

  it("changePassword checks the current password, then ends every other session", async () => {
    const user = await newUser("old-password-12345");
    const other = (await login(user.email, user.password)).body.data!["login"];
    const change = (current: string, next: string) =>
      t.gql("mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }", {
        token: user.accessToken,
        variables: { c: current, n: next },
      });

    expect(firstError(await change("wrong-password-123", "new-password-12345"))).toMatchObject({ reason: "INVALID_CREDENTIALS" });
    expect(firstError(await change("old-password-12345", "short"))).toMatchObject({ code: "BAD_USER_INPUT", reason: "PASSWORD_TOO_SHORT" });
    expect((await change("old-password-12345", "new-password-12345")).body.data).toEqual({ changePassword: 1 });

    expect((await meWith(user.accessToken)).status).toBe(200);
    expect((await meWith(other.accessToken)).status).toBe(401);
    expect(firstError(await login(user.email, "old-password-12345"))).toMatchObject({ reason: "INVALID_CREDENTIALS" });
    expect((await login(user.email, "new-password-12345")).body.data!["login"]).toBeTruthy();
  });

  it("an admin can end every session of a user", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const user = await newUser();
    const response = await t.gql("mutation ($id: ID!) { revokeUserSessions(userId: $id) }", { token: admin.accessToken, variables: { id: user.user.id } });
    expect(response.body.data).toEqual({ revokeUserSessions: 1 });
    expect((await meWith(user.accessToken)).status).toBe(401);
    expect(firstError(await t.gql("mutation ($id: ID!) { revokeUserSessions(userId: $id) }", { token: user.accessToken, variables: { id: user.user.id } }))).toMatchObject({
      code: "UNAUTHENTICATED",
    });
  });

  it("deleting an account ends its sessions, removes its data, and frees its email", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const user = await newUser("delete-me-password-1");
    const deleted = await t.gql("mutation ($id: ID!) { deleteUser(userId: $id) }", { token: admin.accessToken, variables: { id: user.user.id } });
    expect(deleted.body.data).toEqual({ deleteUser: true });

    expect(firstError(await meWith(user.accessToken))).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(firstError(await t.gql(`mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`, { variables: { r: user.refreshToken } }))).toMatchObject({
      reason: "REFRESH_TOKEN_INVALID",
    });
    expect(firstError(await login(user.email, "delete-me-password-1"))).toMatchObject({ reason: "INVALID_CREDENTIALS" });
    const users = (await t.gql("{ users { id email } }", { token: admin.accessToken })).body.data!["users"] as { id: string }[];
    expect(users.map((u) => u.id)).not.toContain(user.user.id);
    const stored = await t.server.services.db.user.findUniqueOrThrow({ where: { id: user.user.id } });
    expect(stored).toMatchObject({ email: `deleted:${user.user.id}`, claims: "{}", passwordHash: "!" });

    const again = await t.gql(`mutation ($e: String!) { register(email: $e, password: "a-new-password-123") { auth { user { id } } } }`, { variables: { e: user.email } });
    expect(again.body.data!["register"].auth.user.id).not.toBe(user.user.id);
    expect(firstError(await t.gql("mutation ($id: ID!) { deleteUser(userId: $id) }", { token: admin.accessToken, variables: { id: user.user.id } }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("disabling an account ends its sessions: its access tokens stop working", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const user = await newUser();
    await t.gql("mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }", { token: admin.accessToken, variables: { id: user.user.id } });
    expect((await meWith(user.accessToken)).status).toBe(401);
  });
});

describe("passwords", () => {
  it("accepts passwords from 12 to 128 characters and refuses longer ones before hashing", async () => {
    expect((await newUser("x".repeat(11) + "Y")).accessToken).toBeTruthy();
    expect((await newUser("long-password-".repeat(9).slice(0, 128))).accessToken).toBeTruthy();
    const tooLong = await t.gql(`mutation ($p: String!) { register(email: "huge@example.com", password: $p) { status } }`, {
      variables: { p: "x".repeat(129) },
    });
    expect(firstError(tooLong)).toMatchObject({ code: "BAD_USER_INPUT", reason: "PASSWORD_TOO_LONG" });
  });

  it("upgrades a hash made with weaker Argon2 parameters at the next login", async () => {
    const user = await newUser("upgrade-password-123");
    const weak = await hash("upgrade-password-123", { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.server.services.db.user.update({ where: { id: user.user.id }, data: { passwordHash: weak } });
    expect((await login(user.email, "upgrade-password-123")).body.data!["login"]).toBeTruthy();
    const stored = await t.server.services.db.user.findUniqueOrThrow({ where: { id: user.user.id } });
    expect(parseOptions(stored.passwordHash)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });
});

describe("brute-force limits", () => {
  it("locks an account after 5 failures, says when to retry, and lets it in after the lock", async () => {
    const user = await newUser("right-password-123");
    for (let i = 0; i < 5; i++) expect(firstError(await login(user.email, `wrong-${i}-password`))).toMatchObject({ reason: "INVALID_CREDENTIALS" });

    const locked = await login(user.email, "right-password-123");
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("30");
    expect(firstError(locked)).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_THROTTLED", retryAfter: 30 });

    t.clock.advance(31);
    try {
      expect((await login(user.email, "right-password-123")).body.data!["login"]).toBeTruthy();
    } finally {
      t.clock.advance(-31);
    }
  });

  it("the lock doubles with each further failure", async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i++) await login(user.email, "wrong-password-000");
    t.clock.advance(31);
    try {
      await login(user.email, "wrong-password-000");
      expect(firstError(await login(user.email, "wrong-password-000"))).toMatchObject({ retryAfter: 60 });
    } finally {
      t.clock.advance(-31);
    }
  });

  it("locks a client IP that fails across many accounts", async () => {
    const strict = await startTestServer({ LOGIN_IP_FAILURES: "3" });
    try {
      const attempt = (email: string, password: string) =>
        strict.gql(LOGIN, { variables: { email, password } });
      for (const email of ["a@example.com", "b@example.com", "c@example.com"]) await attempt(email, "wrong-password-000");
      const locked = await attempt(BOB.email, BOB.password);
      expect(locked.status).toBe(429);
      expect(firstError(locked)).toMatchObject({ reason: "LOGIN_THROTTLED" });
    } finally {
      await strict.stop();
    }
  });

  it("answers the same for an account that does not exist", async () => {
    for (let i = 0; i < 5; i++) await login("ghost@example.com", "wrong-password-000");
    const locked = await login("ghost@example.com", "wrong-password-000");
    expect(locked.status).toBe(429);
    expect(firstError(locked)).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_THROTTLED", retryAfter: 30 });
  });
});

describe("operation limits", () => {
  it("a document may hold only one login, register, refresh or changePassword (aliases count)", async () => {
    const aliased = await t.gql(`mutation {
      a: login(email: "${BOB.email}", password: "guess-one-12345") { accessToken }
      b: login(email: "${BOB.email}", password: "guess-two-12345") { accessToken }
    }`);
    expect(aliased.status).toBe(400);
    expect(firstError(aliased)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED" });
    expect(firstError(aliased).message).toMatch(/at most one of login, register, refresh, changePassword, verifyEmail, requestPasswordReset, resetPassword/);

    const viaFragment = await t.gql(`mutation { ...A ...B }
      fragment A on Mutation { login(email: "x@example.com", password: "guess-one-12345") { accessToken } }
      fragment B on Mutation { refresh(refreshToken: "cgr_x") { accessToken } }`);
    expect(firstError(viaFragment)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("array batching is off", async () => {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ viewer { authenticated } }" }, { query: "{ viewer { authenticated } }" }]),
    });
    expect(response.status).toBe(400);
  });

  it("refuses too many aliases", async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `v${i}: viewer { authenticated }`).join(" ");
    const response = await t.gql(`{ ${aliases} }`);
    expect(response.status).toBe(400);
    expect(firstError(response)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED" });
    expect(firstError(response).message).toMatch(/aliases/i);
  });

  it.each([
    ["tokens", { GRAPHQL_MAX_TOKENS: "15" }, "GRAPHQL_PARSE_FAILED", /token/i],
    ["cost", { GRAPHQL_MAX_COST: "20" }, "GRAPHQL_VALIDATION_FAILED", /cost/i],
  ])("refuses documents over GRAPHQL_MAX_%s", async (_limit, env, code, message) => {
    const strict = await startTestServer(env);
    try {
      expect((await strict.gql("{ viewer { authenticated } }")).status).toBe(200);
      const heavy = await strict.gql(`{ viewer { authenticated subject claims issuedAt expiresAt tokenError { reason message } } a: viewer { authenticated } }`);
      expect(heavy.status).toBe(400);
      expect(firstError(heavy)).toMatchObject({ code });
      expect(firstError(heavy).message).toMatch(message);
    } finally {
      await strict.stop();
    }
  });

  it("refuses documents deeper than GRAPHQL_MAX_DEPTH", async () => {
    const shallow = await startTestServer({ GRAPHQL_MAX_DEPTH: "2" });
    try {
      const { body } = await shallow.gql(`mutation { login(email: "${BOB.email}", password: "${BOB.password}") { accessToken } }`);
      const { accessToken } = body.data!["login"];
      expect((await shallow.gql("{ me { id } }", { token: accessToken })).status).toBe(200);
      const deep = await shallow.gql("{ me { posts { id } } }", { token: accessToken });
      expect(deep.status).toBe(400);
      expect(firstError(deep).message).toMatch(/depth/i);
    } finally {
      await shallow.stop();
    }
  });
});

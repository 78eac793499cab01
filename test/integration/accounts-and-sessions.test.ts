// register, login, refresh and logout over real HTTP against a real SQLite file.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interleavedMedians } from "../support/interleaved-timing.js";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  // Brute-force limits have their own tests; here they would lock bob out after the timing test.
  t = await startTestServer({ LOGIN_ACCOUNT_FAILURES: "1000", LOGIN_IP_FAILURES: "1000", LOGIN_PAIR_FAILURES: "1000" });
});
afterAll(() => t.stop());

const REGISTER = `mutation ($email: String!, $password: String!) {
  register(email: $email, password: $password) { status auth { accessToken refreshToken tokenType expiresIn user { id email claims disabled } } }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
const REFRESH = `mutation ($token: String!) { refresh(refreshToken: $token) { accessToken refreshToken expiresIn user { claims } } }`;
const LOGOUT = `mutation ($token: String!) { logout(refreshToken: $token) }`;

const refresh = (token: string) => t.gql(REFRESH, { variables: { token } });
const login = (email: string, password: string) => t.gql(LOGIN, { variables: { email, password } });

describe("register", () => {
  it("creates an account with no claims and logs it in", async () => {
    const { body } = await t.gql(REGISTER, { variables: { email: "  Carol@Example.COM ", password: "carol-password-123" } });
    expect(body.errors).toBeUndefined();
    expect(body.data!["register"].auth).toMatchObject({
      tokenType: "Bearer",
      expiresIn: 900,
      user: { email: "carol@example.com", claims: {}, disabled: false },
    });
    const me = await t.gql("{ me { email } }", { token: body.data!["register"].auth.accessToken });
    expect(me.body.data).toEqual({ me: { email: "carol@example.com" } });
  });

  it.each([
    ["a malformed email", "not-an-email", "long-enough-password", "INVALID_EMAIL", /name@example\.com/],
    ["a password under 12 characters", "dave@example.com", "short-pass", "PASSWORD_TOO_SHORT", /at least 12/],
    ["an email already taken (in any case)", "ALICE@example.com", "another-password-123", "EMAIL_TAKEN", /already exists/],
  ])("refuses %s with BAD_USER_INPUT", async (_name, email, password, reason, message) => {
    const response = await t.gql(REGISTER, { variables: { email, password } });
    expect(response.status).toBe(200);
    expect(firstError(response)).toMatchObject({ code: "BAD_USER_INPUT", reason });
    expect(firstError(response).message).toMatch(message);
  });
});

describe("login", () => {
  it("an unknown email and a wrong password get the same error", async () => {
    const unknown = await login("nobody@example.com", "whatever-password-1");
    const wrong = await login(ALICE.email, "wrong-password-1234");
    for (const response of [unknown, wrong]) {
      expect(response.status).toBe(401);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: "The email or password is incorrect.", extensions: { code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" } }),
      ]);
    }
  });

  it("an unknown email costs an Argon2id verification too (timing is equalised)", async () => {
    // Without the dummy-hash verification an unknown email answers in about a millisecond,
    // against tens of milliseconds for a real verification.
    const [unknown, known] = await interleavedMedians(
      () => login("nobody@example.com", "wrong-password-1234"),
      () => login(BOB.email, "wrong-password-1234"),
    );
    // A leak would be ~1 ms against tens; half is a generous bound for a loaded machine.
    expect(unknown, `unknown email ${unknown.toFixed(1)} ms, wrong password ${known.toFixed(1)} ms`).toBeGreaterThan(known * 0.5);
  });

  it("emails are matched case-insensitively", async () => {
    expect((await login("BOB@EXAMPLE.COM", BOB.password)).body.data!["login"]).toBeTruthy();
  });
});

describe("refresh and logout", () => {
  it("rotates: the new tokens work; the presented refresh token only ever yields the same successor", async () => {
    const first = (await login(BOB.email, BOB.password)).body.data!["login"];
    const second = (await refresh(first.refreshToken)).body.data!["refresh"];
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await t.gql("{ me { email } }", { token: second.accessToken })).body.data).toEqual({ me: { email: BOB.email } });

    // The same client presenting it again within the grace period is a retry: the same successor.
    const again = await refresh(first.refreshToken);
    expect(again.body.data!["refresh"].refreshToken).toBe(second.refreshToken);
  });

  it("a rotated token presented after the grace period is theft: the whole session ends", async () => {
    const first = (await login(BOB.email, BOB.password)).body.data!["login"];
    const second = (await refresh(first.refreshToken)).body.data!["refresh"];
    t.clock.advance(11);
    try {
      expect(firstError(await refresh(first.refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_REUSED" });
      expect(firstError(await refresh(second.refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });
    } finally {
      t.clock.advance(-11);
    }
  });

  it("an older ancestor is theft even within the grace period", async () => {
    const first = (await login(BOB.email, BOB.password)).body.data!["login"];
    const second = (await refresh(first.refreshToken)).body.data!["refresh"];
    const third = (await refresh(second.refreshToken)).body.data!["refresh"];
    expect(firstError(await refresh(first.refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_REUSED" });
    expect(firstError(await refresh(third.refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });
    expect((await t.gql("{ me { id } }", { token: third.accessToken })).status).toBe(401);
  });

  it("of 10 concurrent refreshes from one client, one rotates and all receive the same successor; nothing is revoked", async () => {
    const { refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(refreshToken)));
    const successors = new Set(responses.map((response) => response.body.data?.["refresh"]?.refreshToken));
    expect(successors.size).toBe(1);
    expect([...successors][0]).toMatch(/^cgr_/);
    // One live chain: the session has exactly one unconsumed refresh token, the shared successor.
    const sessionId = decodeJwt(responses[0]!.body.data!["refresh"].accessToken).sid as string;
    expect(await t.server.services.db.refreshToken.count({ where: { sessionId, consumedAt: null } })).toBe(1);
    expect(await t.server.services.db.refreshToken.count({ where: { sessionId } })).toBe(2);
    expect((await refresh([...successors][0]!)).body.data!["refresh"]).toBeTruthy();
  });

  it("a refresh whose response was lost is retried: the same successor comes back, sealed with the presented token", async () => {
    const { refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    const lost = (await refresh(refreshToken)).body.data!["refresh"];
    const retried = (await refresh(refreshToken)).body.data!["refresh"];
    expect(retried.refreshToken).toBe(lost.refreshToken);
    // Nothing readable is stored: the sealed successor does not contain it.
    const stored = await t.server.services.db.refreshToken.findMany({ where: { successorSealed: { not: null } }, select: { successorSealed: true } });
    expect(stored.some((row) => row.successorSealed!.includes(lost.refreshToken.slice(4, 20)))).toBe(false);
    // Once the successor is used, the old token is theft, not a retry.
    await refresh(lost.refreshToken);
    expect(firstError(await refresh(refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_REUSED" });
  });

  it("within the grace period another client gets REFRESH_TOKEN_ROTATED, not the successor", async () => {
    const { refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    const owner = await t.gql(REFRESH, { variables: { token: refreshToken }, headers: { "user-agent": "owner-browser" } });
    expect(owner.body.errors).toBeUndefined();
    const other = await t.gql(REFRESH, { variables: { token: refreshToken }, headers: { "user-agent": "somebody-else" } });
    expect(firstError(other)).toMatchObject({ reason: "REFRESH_TOKEN_ROTATED" });
  });

  it("with REFRESH_REUSE_GRACE=0 nothing is kept for retries, and a second use ends the session", async () => {
    const strict = await startTestServer({ REFRESH_REUSE_GRACE: "0" });
    try {
      const { refreshToken } = await strict.login(BOB.email, BOB.password);
      const again = (r: string) => strict.gql(REFRESH, { variables: { token: r } });
      const next = (await again(refreshToken)).body.data!["refresh"];
      expect(await strict.server.services.db.refreshToken.count({ where: { successorSealed: { not: null } } })).toBe(0);
      expect(firstError(await again(refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_REUSED" });
      expect(firstError(await again(next.refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });
      // Even a reuse racing the rotation itself is theft: one wins, the session then ends.
      const racing = (await strict.login(BOB.email, BOB.password)).refreshToken;
      const results = await Promise.all(Array.from({ length: 10 }, () => again(racing)));
      const won = results.filter((result) => result.body.data?.["refresh"]);
      expect(won).toHaveLength(1);
      const reasons = results.filter((result) => !result.body.data?.["refresh"]).map((lost) => firstError(lost).reason);
      // The first loser ends the session (REUSED); later ones find it ended (INVALID). None is a "retry".
      expect(reasons).toContain("REFRESH_TOKEN_REUSED");
      expect(reasons.every((reason) => reason === "REFRESH_TOKEN_REUSED" || reason === "REFRESH_TOKEN_INVALID")).toBe(true);
      expect(firstError(await again(won[0]!.body.data!["refresh"].refreshToken)).reason).toBe("REFRESH_TOKEN_INVALID");
    } finally {
      await strict.stop();
    }
  });

  it("logout ends the session: its refresh token no longer works", async () => {
    const { refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    expect((await t.gql(LOGOUT, { variables: { token: refreshToken } })).body.data).toEqual({ logout: true });
    expect(firstError(await refresh(refreshToken))).toMatchObject({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_INVALID" });
  });

  it("an expired refresh token gets REFRESH_TOKEN_EXPIRED", async () => {
    const { refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    t.clock.advance(7 * 86400 + 1);
    try {
      expect(firstError(await refresh(refreshToken))).toMatchObject({ reason: "REFRESH_TOKEN_EXPIRED" });
    } finally {
      t.clock.advance(-(7 * 86400 + 1));
    }
  });

  it("a refresh token is not an access token, and an access token is not a refresh token", async () => {
    const { accessToken, refreshToken } = (await login(BOB.email, BOB.password)).body.data!["login"];
    expect(firstError(await t.gql("{ me { id } }", { token: refreshToken }))).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(firstError(await refresh(accessToken))).toMatchObject({ reason: "REFRESH_TOKEN_INVALID" });
  });
});

describe("administration", () => {
  it("claims set by an admin reach the user's token at the next refresh", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const { body } = await t.gql(REGISTER, { variables: { email: "erin@example.com", password: "erin-password-123" } });
    const erin = body.data!["register"].auth;
    const write = `mutation { createPost(input: { title: "Erin writes", body: "." }) { title } }`;
    expect(firstError(await t.gql(write, { token: erin.accessToken }))).toMatchObject({ code: "FORBIDDEN" });

    const granted = await t.gql(`mutation ($id: ID!, $claims: JSON!) { setUserClaims(userId: $id, claims: $claims) { claims } }`, {
      token: admin.accessToken,
      variables: { id: erin.user.id, claims: { permissions: ["posts:read", "posts:write"] } },
    });
    expect(granted.body.data).toEqual({ setUserClaims: { claims: { permissions: ["posts:read", "posts:write"] } } });
    // The old access token carries the old claims: it is refused as expired, so the client refreshes.
    const stale = firstError(await t.gql(write, { token: erin.accessToken }));
    expect(stale).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
    expect(stale.message).toMatch(/claims changed/);

    const refreshed = (await refresh(erin.refreshToken)).body.data!["refresh"];
    expect(refreshed.user.claims).toEqual({ permissions: ["posts:read", "posts:write"] });
    expect((await t.gql(write, { token: refreshed.accessToken })).body.data).toEqual({ createPost: { title: "Erin writes" } });
  });

  it("refuses registered claim names", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const response = await t.gql(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { sub: "x", role: "admin" }) { id } }`, {
      token: admin.accessToken,
      variables: { id: admin.user.id },
    });
    expect(firstError(response)).toMatchObject({ code: "BAD_USER_INPUT", reason: "RESERVED_CLAIM", claims: ["sub"] });
  });

  it("NOT_FOUND for an unknown user id", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const response = await t.gql(`mutation { setUserDisabled(userId: "nope", disabled: true) { id } }`, { token: admin.accessToken });
    expect(firstError(response)).toMatchObject({ code: "NOT_FOUND", reason: "USER_NOT_FOUND" });
  });

  it("a disabled user can neither log in nor refresh", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    await t.gql(REGISTER, { variables: { email: "frank@example.com", password: "frank-password-123" } });
    const frank = (await login("frank@example.com", "frank-password-123")).body.data!["login"];
    const disabled = await t.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { disabled } }`, {
      token: admin.accessToken,
      variables: { id: (await t.gql("{ me { id } }", { token: frank.accessToken })).body.data!["me"].id },
    });
    expect(disabled.body.data).toEqual({ setUserDisabled: { disabled: true } });

    const loginResponse = await login("frank@example.com", "frank-password-123");
    expect(loginResponse.status).toBe(403);
    expect(firstError(loginResponse)).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_DISABLED" });
    expect(firstError(await refresh(frank.refreshToken))).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_DISABLED" });
  });
});

// The status table (README, "Errors") over real HTTP, for both media types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

const AS_JSON = { accept: "application/json" };

describe("HTTP status table", () => {
  let t: TestServer;
  const logs: string[] = [];
  beforeAll(async () => {
    t = await startTestServer({}, { logs });
  });
  afterAll(() => t.stop());

  it("application/json clients get 200 for authentication, authorization and throttling failures", async () => {
    const anonymous = await t.gql("{ me { email } }", { headers: AS_JSON });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data).toBeNull();
    expect(firstError(anonymous)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" });
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="claimgate"');

    const bob = await t.login(BOB.email, BOB.password);
    const forbidden = await t.gql("{ users { email } }", { token: bob.accessToken, headers: AS_JSON });
    expect(forbidden.status).toBe(200);
    expect(firstError(forbidden)).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS" });
    expect(forbidden.headers.get("www-authenticate")).toBe('Bearer realm="claimgate", error="insufficient_scope"');

    // `*/*` (Apollo Client 3, curl) is application/json too.
    expect((await t.gql("{ me { email } }", { headers: { accept: "*/*" } })).status).toBe(200);
  });

  it("a refused token's precise cause is logged with the denial; the client sees only the reason", async () => {
    const response = await t.gql("query Mine { me { email } }", { token: "not.a.jwt" });
    expect(response.status).toBe(401);
    expect(firstError(response)).toEqual(expect.objectContaining({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" }));
    expect(Object.keys(firstError(response))).not.toContain("tokenError");
    const entries = logs.map((line) => JSON.parse(line));
    expect(entries).toContainEqual(
      expect.objectContaining({ event: "authorization_denied", operationName: "Mine", code: "UNAUTHENTICATED", reason: "TOKEN_INVALID", tokenError: "MALFORMED" }),
    );
  });

  it("the same failures are 401 and 403 for application/graphql-response+json", async () => {
    expect((await t.gql("{ me { email } }")).status).toBe(401);
    const bob = await t.login(BOB.email, BOB.password);
    expect((await t.gql("{ users { email } }", { token: bob.accessToken })).status).toBe(403);
  });

  it("a failed login is no access-token failure: no WWW-Authenticate", async () => {
    const login = `mutation { login(email: "${BOB.email}", password: "wrong-password-123") { accessToken } }`;
    const strict = await t.gql(login);
    expect(strict.status).toBe(401);
    expect(firstError(strict)).toMatchObject({ reason: "INVALID_CREDENTIALS" });
    expect(strict.headers.get("www-authenticate")).toBeNull();
    const legacy = await t.gql(login, { headers: AS_JSON });
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get("www-authenticate")).toBeNull();
  });

  it("a disabled account's login and refresh are no bearer-token failures: 403 / 200, no WWW-Authenticate", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const email = "disabled-status@example.com";
    const password = "disabled-password-123";
    const registered = await t.gql(`mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { __typename } }`, {
      variables: { email, password },
    });
    expect(registered.body.errors).toBeUndefined();
    const before = await t.login(email, password);
    const disabled = await t.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { disabled } }`, {
      token: admin.accessToken,
      variables: { id: before.user.id },
    });
    expect(disabled.body.data).toEqual({ setUserDisabled: { disabled: true } });

    const login = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
    const refresh = `mutation ($token: String!) { refresh(refreshToken: $token) { accessToken } }`;
    for (const [query, variables] of [
      [login, { email, password }],
      [refresh, { token: before.refreshToken }],
    ] as const) {
      // Presenting the caller's own (now ended) access token must not turn the refusal into a token failure either.
      for (const token of [undefined, before.accessToken]) {
        const strict = await t.gql(query, { variables, ...(token ? { token } : {}) });
        expect(strict.status).toBe(403);
        expect(firstError(strict)).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_DISABLED" });
        expect(strict.headers.get("www-authenticate")).toBeNull();
        const legacy = await t.gql(query, { variables, headers: AS_JSON, ...(token ? { token } : {}) });
        expect(legacy.status).toBe(200);
        expect(firstError(legacy)).toMatchObject({ code: "FORBIDDEN", reason: "ACCOUNT_DISABLED" });
        expect(legacy.headers.get("www-authenticate")).toBeNull();
      }
    }
  });

  it("throttled logins: 429 / 200 with Retry-After for both media types", async () => {
    const email = "throttled@example.com";
    const login = `mutation { login(email: "${email}", password: "wrong-password-123") { accessToken } }`;
    for (let i = 0; i < 5; i++) await t.gql(login, { headers: { "x-test": String(i) } });
    const strict = await t.gql(login);
    expect(strict.status).toBe(429);
    expect(Number(strict.headers.get("retry-after"))).toBeGreaterThan(0);
    const legacy = await t.gql(login, { headers: AS_JSON });
    expect(legacy.status).toBe(200);
    expect(firstError(legacy)).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(Number(legacy.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a subscription over HTTP is the client's mistake: 400 BAD_REQUEST, logged as a warning", async () => {
    const response = await t.gql("subscription Watch { postPublished { id } }");
    expect(response.status).toBe(400);
    expect(firstError(response)).toMatchObject({ code: "BAD_REQUEST", reason: "OPERATION_TYPE_NOT_SERVED" });
    const entries = logs.map((line) => JSON.parse(line));
    expect(entries).toContainEqual(expect.objectContaining({ event: "client_error", level: 40, code: "BAD_REQUEST", operationName: "Watch" }));
    expect(entries.filter((entry) => entry.event === "unexpected_error")).toEqual([]);
  });

  it("a persisted-query hash that does not match its query: PERSISTED_QUERY_NOT_FOUND, 400, a warning", async () => {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { authenticated } }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
    });
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(400);
    expect(body.errors[0]!.extensions).toMatchObject({ code: "PERSISTED_QUERY_NOT_FOUND", reason: "PERSISTED_QUERY_HASH_MISMATCH" });
    const entries = logs.map((line) => JSON.parse(line));
    expect(entries).toContainEqual(expect.objectContaining({ event: "client_error", level: 40, reason: "PERSISTED_QUERY_HASH_MISMATCH" }));
    expect(entries.filter((entry) => entry.event === "unexpected_error")).toEqual([]);
  });

  it("JSON nested thousands deep is refused as BAD_USER_INPUT (no stack overflow, no server error), logged as a warning", async () => {
    const alice = await t.login(ALICE.email, ALICE.password);
    const depth = 15_000;
    const deep = `${'{"a":'.repeat(depth)}"bottom"${"}".repeat(depth)}`;
    const body = `{"query":"mutation SetDeep($id: ID!, $claims: JSON!) { setUserClaims(userId: $id, claims: $claims) { id } }","variables":{"id":${JSON.stringify(alice.user.id)},"claims":${deep}}}`;
    expect(body.length).toBeLessThan(100 * 1024);
    const refused = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.accessToken}` },
      body,
    });
    const refusedBody = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(refused.status).toBe(400);
    expect(refusedBody.errors[0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INPUT_TOO_DEEP" });
    const entries = logs.map((line) => JSON.parse(line));
    expect(entries).toContainEqual(expect.objectContaining({ event: "client_error", level: 40, operationName: "SetDeep" }));
    expect(entries.filter((entry) => entry.event === "unexpected_error")).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The lean path (src/server/lean-graphql-path.ts) must answer exactly as Apollo Server's request
 * pipeline does. Two servers over equal databases, one with the lean path and one without, get
 * the same requests; their answers must match byte for byte, and the log lines each request
 * leaves must match too (what the plugins' hooks log), once the values that differ by nature
 * (tokens, ids, request ids, times) are replaced by placeholders.
 */

interface RawRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | null>;
  readonly body: string;
}

const COMPARED_HEADERS = ["content-type", "www-authenticate", "retry-after", "cache-control", "allow", "vary", "access-control-expose-headers"];

/** Values that differ between any two servers, whichever path answers. */
function normalize(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, "<jwt>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/"refreshToken":"[^"]+"/g, '"refreshToken":"<refresh>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/"(lastUsedAt|createdAt|expiresAt|exp|iat)":\d+/g, '"$1":<n>')
    // Stack traces name the code that built the error (Apollo's or the lean path's).
    .replace(/"stacktrace":\["((?:[^"\\]|\\.)*)"[^\]]*\]/g, '"stacktrace":["$1",…]');
}

/** A log line without what differs from run to run. */
function normalizeLogLine(line: string): string {
  const { time: _time, pid: _pid, hostname: _hostname, durationMs: _durationMs, passwordCheckMs: _passwordCheckMs, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return normalize(JSON.stringify(rest));
}

async function send(url: string, request: RawRequest): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  const headers = Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)]));
  return { status: response.status, headers: { ...headers, "x-request-id": response.headers.get("x-request-id") ? "<set>" : null }, body: normalize(await response.text()) };
}

const ACCEPTS: readonly (string | undefined)[] = [undefined, "application/json", "application/graphql-response+json", "*/*", "application/graphql-response+json, application/json;q=0.9"];

interface Case {
  readonly name: string;
  /** Built for each server: tokens come from the server asked. */
  readonly body: (tokens: Tokens) => Record<string, unknown> | string | Promise<Record<string, unknown>>;
  readonly token?: (tokens: Tokens) => string;
  readonly headers?: Record<string, string>;
  /** Whether the lean path serves it (else it goes to Apollo on both servers). */
  readonly lean: boolean;
}

interface Tokens {
  readonly alice: string;
  readonly bob: string;
  readonly refresh: () => Promise<string>;
}

const LOGIN = "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken expiresIn user { email } } }";
const REFRESH = "mutation Refresh($r: String) { refresh(refreshToken: $r) { accessToken refreshToken expiresIn } }";

const CASES: readonly Case[] = [
  { name: "an anonymous query", body: () => ({ query: "{ viewer { authenticated } }" }), lean: true },
  { name: "__typename alone", body: () => ({ query: "{ __typename }" }), lean: true },
  { name: "a guarded field without a token (UNAUTHENTICATED)", body: () => ({ query: "{ me { email } }" }), lean: true },
  { name: "a guarded list without a token, beside a public field", body: () => ({ query: "{ viewer { authenticated } users { email } }" }), lean: true },
  { name: "a field the token's claims do not cover (FORBIDDEN)", body: () => ({ query: "{ users { email } }" }), token: (t) => t.bob, lean: true },
  { name: "an allowed query with a token", body: () => ({ query: "query Me { me { email claims } }", operationName: "Me" }), token: (t) => t.alice, lean: true },
  { name: "a malformed bearer token", body: () => ({ query: "{ me { email } }" }), token: () => "not-a-token", lean: true },
  { name: "a mutation refused before execution", body: () => ({ query: 'mutation { createRole(name: "x", input: { claims: {} }) { name } }' }), token: (t) => t.bob, lean: true },
  { name: "a right login", body: () => ({ query: LOGIN, variables: { email: ALICE.email, password: ALICE.password }, operationName: "Login" }), lean: true },
  { name: "a wrong password", body: () => ({ query: LOGIN, variables: { email: BOB.email, password: "wrong-password-1" } }), lean: true },
  { name: "a refresh", body: async (t) => ({ query: REFRESH, variables: { r: await t.refresh() } }), lean: true },
  { name: "a refresh with a made-up token", body: () => ({ query: REFRESH, variables: { r: "made-up" } }), lean: true },
  { name: "a variable of the wrong type (BAD_USER_INPUT)", body: () => ({ query: "query ($n: Int) { posts(first: $n) { id } }", variables: { n: "ten" } }), token: (t) => t.alice, lean: true },
  { name: "a missing required variable", body: () => ({ query: REFRESH.replace("String)", "String!)"), variables: {} }), lean: true },
  { name: "variables: null, operationName: null, extensions: {}", body: () => ({ query: "{ viewer { authenticated } }", variables: null, operationName: null, extensions: {} }), lean: true },
  { name: "extensions a client library adds", body: () => ({ query: "{ viewer { authenticated } }", extensions: { clientLibrary: { name: "@apollo/client", version: "4.0.0" } } }), lean: true },
  { name: "two operations, one named", body: () => ({ query: "query A { __typename } query B { viewer { authenticated } }", operationName: "B" }), lean: true },
  { name: "a charset in the content type", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "application/json; charset=utf-8" }, lean: true },
  // Apollo's to answer, on both servers:
  { name: "two operations, none named", body: () => ({ query: "query A { __typename } query B { __typename }" }), lean: false },
  { name: "an unknown operation name", body: () => ({ query: "query A { __typename }", operationName: "C" }), lean: false },
  { name: "a syntax error", body: () => ({ query: "{ viewer { " }), lean: false },
  { name: "an unknown field", body: () => ({ query: "{ viewr { authenticated } }" }), lean: false },
  { name: "an empty query", body: () => ({ query: "" }), lean: false },
  { name: "no query", body: () => ({ variables: {} }), lean: false },
  { name: "a persisted query", body: () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }), lean: false },
  { name: "variables as a string", body: () => ({ query: "{ __typename }", variables: "{}" }), lean: false },
  { name: "an operation name that is not a string", body: () => ({ query: "{ __typename }", operationName: 7 }), lean: false },
  { name: "a batch", body: () => '[{"query":"{ __typename }"}]', lean: false },
  { name: "a subscription over HTTP", body: () => ({ query: "subscription { sessionEnded { sessionId } }" }), lean: false },
  { name: "an unacceptable Accept header", body: () => ({ query: "{ __typename }" }), headers: { accept: "text/html" }, lean: false },
  { name: "a text/plain body (CSRF-prone)", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "text/plain" }, lean: false },
];

describe.each([
  { mode: "production-like (masked errors)", env: {} as Record<string, string> },
  { mode: "DEBUG_ERRORS=true (stack traces)", env: { DEBUG_ERRORS: "true" } as Record<string, string> },
])("the lean GraphQL path, $mode", ({ env }) => {
  let lean: TestServer;
  let apollo: TestServer;
  const logs = { lean: [] as string[], apollo: [] as string[] };
  const tokensOf = async (t: TestServer): Promise<Tokens> => ({
    alice: (await t.login(ALICE.email, ALICE.password)).accessToken,
    bob: (await t.login(BOB.email, BOB.password)).accessToken,
    refresh: async () => (await t.login(ALICE.email, ALICE.password)).refreshToken,
  });
  let tokens: { lean: Tokens; apollo: Tokens };

  beforeAll(async () => {
    // Throttle limits out of the way: every case logs in, on both servers, under every Accept.
    const limits = { LOGIN_ACCOUNT_FAILURES: "1000", LOGIN_IP_FAILURES: "1000", LOGIN_PAIR_FAILURES: "1000", ...env };
    [lean, apollo] = await Promise.all([startTestServer(limits, { logs: logs.lean }), startTestServer(limits, { logs: logs.apollo, leanGraphQLPath: false })]);
    tokens = { lean: await tokensOf(lean), apollo: await tokensOf(apollo) };
  });
  afterAll(async () => {
    await Promise.all([lean?.stop(), apollo?.stop()]);
  });

  it.each(CASES)("answers $name as Apollo does", async (testCase) => {
    for (const accept of ACCEPTS) {
      const build = async (t: Tokens): Promise<RawRequest> => {
        const body = await testCase.body(t);
        return {
          headers: {
            "content-type": "application/json",
            ...(accept !== undefined ? { accept } : {}),
            ...(testCase.token ? { authorization: `Bearer ${testCase.token(t)}` } : {}),
            ...testCase.headers,
          },
          body: typeof body === "string" ? body : JSON.stringify(body),
        };
      };
      const requests = await Promise.all([build(tokens.lean), build(tokens.apollo)]);
      const servedBefore = lean.server.leanRequestCount();
      const logged = { lean: logs.lean.length, apollo: logs.apollo.length };
      const [viaLean, viaApollo] = await Promise.all([send(lean.url, requests[0]), send(apollo.url, requests[1])]);
      expect(viaLean, `Accept: ${accept ?? "(none)"}`).toEqual(viaApollo);
      const linesOf = (lines: string[], from: number) => lines.slice(from).map(normalizeLogLine);
      expect(linesOf(logs.lean, logged.lean), `log lines, Accept: ${accept ?? "(none)"}`).toEqual(linesOf(logs.apollo, logged.apollo));
      expect(lean.server.leanRequestCount() - servedBefore, `served on the lean path with Accept: ${accept ?? "(none)"}`).toBe(testCase.lean && accept !== "text/html" ? 1 : 0);
    }
    expect(apollo.server.leanRequestCount()).toBe(0);
  });
});

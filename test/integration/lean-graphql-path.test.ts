import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE_NAME } from "../../src/server/refresh-cookie.js";
import { holdWriteLock } from "../support/lock-holder.js";
import { itOnSqlite } from "../support/test-database.js";
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

const COMPARED_HEADERS = [
  "content-type",
  "www-authenticate",
  "retry-after",
  "cache-control",
  "allow",
  "vary",
  "access-control-expose-headers",
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "set-cookie",
];

/** A browser page the servers list in CORS_ORIGINS: cookie mode is served to it. */
const PAGE = "https://app.example.com";

/** Values that differ between any two servers, whichever path answers. */
function normalize(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, "<jwt>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/"refreshToken":"[^"]+"/g, '"refreshToken":"<refresh>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/"(lastUsedAt|createdAt|expiresAt|exp|iat)":\d+/g, '"$1":<n>')
    // The refresh cookie's value and its expiry date.
    .replace(new RegExp(`${REFRESH_COOKIE_NAME}=[^;]+`, "g"), `${REFRESH_COOKIE_NAME}=<cookie>`)
    .replace(/Expires=[^;]+/g, "Expires=<date>")
    // Stack traces name the code that built the error (Apollo's or the lean path's).
    .replace(/"stacktrace":\["((?:[^"\\]|\\.)*)"[^\]]*\]/g, '"stacktrace":["$1",…]');
}

/** A log line without what differs from run to run. */
function normalizeLogLine(line: string): string {
  const { time: _time, pid: _pid, hostname: _hostname, durationMs: _durationMs, passwordCheckMs: _passwordCheckMs, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return normalize(JSON.stringify(rest, (key, value: unknown) => (key === "stack" && typeof value === "string" ? withoutPipelineFrames(value) : value)));
}

/** A logged stack's frames name the code that called the resolver (Apollo's pipeline or the lean path) and the timers that ran it. */
function withoutPipelineFrames(stack: string): string {
  return stack.split("\n")[0]!;
}

async function send(url: string, request: RawRequest): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body });
  const headers = Object.fromEntries(COMPARED_HEADERS.map((name) => [name, normalizeHeader(response.headers.get(name))]));
  return { status: response.status, headers: { ...headers, "x-request-id": response.headers.get("x-request-id") ? "<set>" : null }, body: normalize(await response.text()) };
}

function normalizeHeader(value: string | null): string | null {
  return value === null ? null : normalize(value);
}

/** The refresh cookie a response set, as a Cookie header sends it back. */
function cookieOf(response: Response): string {
  const line = response.headers.getSetCookie().find((candidate) => candidate.startsWith(`${REFRESH_COOKIE_NAME}=`));
  if (!line) throw new Error("no refresh cookie was set");
  return line.split(";")[0]!;
}

const ACCEPTS: readonly (string | undefined)[] = [undefined, "application/json", "application/graphql-response+json", "*/*", "application/graphql-response+json, application/json;q=0.9"];

interface Case {
  readonly name: string;
  /** Built for each server: tokens come from the server asked. */
  readonly body: (tokens: Tokens) => Record<string, unknown> | string | Promise<Record<string, unknown>>;
  readonly token?: (tokens: Tokens) => string;
  readonly headers?: Record<string, string>;
  /** Headers built for each server (cookies come from the server asked). */
  readonly headersFor?: (tokens: Tokens) => Promise<Record<string, string>>;
  /** Whether the lean path serves it (else it goes to Apollo on both servers), in production or not. */
  readonly lean: boolean | ((production: boolean) => boolean);
}

interface Tokens {
  readonly alice: string;
  readonly bob: string;
  readonly refresh: () => Promise<string>;
  /** A new session's refresh cookie, from a login in cookie mode: `name=value`. */
  readonly cookie: () => Promise<string>;
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
  // Review of the lean path (odd bodies, content types, Accept headers, cookies, production):
  { name: "__proto__ and constructor keys beside the query", body: () => '{"query":"{ __typename }","__proto__":{"query":"{ viewer { authenticated } }","variables":[]},"constructor":{"prototype":1}}', lean: true },
  { name: "__proto__ inside variables", body: () => '{"query":"mutation ($r: String) { refresh(refreshToken: $r) { accessToken } }","variables":{"__proto__":{"r":"polluted"}}}', lean: true },
  { name: "extensions.persistedQuery null", body: () => ({ query: "{ __typename }", extensions: { persistedQuery: null } }), lean: true },
  { name: "extensions.persistedQuery false", body: () => ({ query: "{ __typename }", extensions: { persistedQuery: false } }), lean: true },
  { name: "a whitespace variant of a known document", body: () => ({ query: "{\n  viewer {\n    authenticated\n  }\n}\n" }), lean: true },
  { name: "an upper-case content type", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "APPLICATION/JSON" }, lean: true },
  { name: "a huge variable value", body: () => ({ query: LOGIN, variables: { email: `${"x".repeat(90_000)}@example.com`, password: "wrong-password-1" } }), lean: true },
  {
    name: "deeply nested variables (refused before execution or BAD_USER_INPUT)",
    body: () => {
      let claims: unknown = 1;
      for (let i = 0; i < 3000; i++) claims = { a: claims };
      return { query: "mutation ($c: JSON) { createRole(name: \"deep\", input: { claims: $c }) { name } }", variables: { c: claims } };
    },
    token: (t) => t.bob,
    lean: true,
  },
  { name: "a misspelt input field in variables (suggestion masked)", body: () => ({ query: "mutation ($i: CreatePostInput!) { createPost(input: $i) { id } }", variables: { i: { titel: "x", body: "." } } }), token: (t) => t.alice, lean: true },
  { name: "an operation name choosing the query beside a subscription", body: () => ({ query: "query Q { __typename } subscription S { postPublished { id } }", operationName: "Q" }), lean: true },
  { name: "introspection (refused in production)", body: () => ({ query: "{ __schema { queryType { name } } }" }), lean: (production) => !production },
  { name: "a field name with a suggestion (masked)", body: () => ({ query: "{ viewer { authenticatd } }" }), lean: false },
  {
    name: "a login in refresh cookie mode (Set-Cookie)",
    body: () => ({ query: LOGIN, variables: { email: ALICE.email, password: ALICE.password } }),
    headers: { origin: PAGE, "claimgate-refresh-token": "cookie" },
    lean: true,
  },
  {
    name: "a refresh from the cookie (rotated cookie)",
    body: () => ({ query: "mutation { refresh { accessToken refreshToken } }" }),
    headersFor: async (t) => ({ origin: PAGE, "claimgate-refresh-token": "cookie", cookie: await t.cookie() }),
    lean: true,
  },
  {
    name: "a logout from the cookie (cleared cookie)",
    body: () => ({ query: "mutation { logout }" }),
    headersFor: async (t) => ({ origin: PAGE, "claimgate-refresh-token": "cookie", cookie: await t.cookie() }),
    lean: true,
  },
  { name: "cookie mode from an unlisted origin", body: () => ({ query: LOGIN, variables: { email: ALICE.email, password: ALICE.password } }), headers: { origin: "https://evil.example", "claimgate-refresh-token": "cookie" }, lean: true },
  { name: "Accept preferring JSON with callbackSpec", body: () => ({ query: "{ __typename }" }), headers: { accept: "application/json;callbackSpec=1.0, application/json;q=0.5" }, lean: true },
  { name: "Accept asking for JSON with callbackSpec only", body: () => ({ query: "{ me { email } }" }), headers: { accept: "application/json; callbackSpec=1.0" }, lean: true },
  { name: "Accept refusing application/json (q=0) but taking anything else", body: () => ({ query: "{ me { email } }" }), headers: { accept: "application/json;q=0, */*" }, lean: true },
  { name: "Accept refusing everything (*/*;q=0)", body: () => ({ query: "{ __typename }" }), headers: { accept: "*/*;q=0" }, lean: false },
  { name: "Accept with HTML first and JSON last", body: () => ({ query: "{ me { email } }" }), headers: { accept: "text/html, application/xhtml+xml, application/json;q=0.1" }, lean: true },
  // Apollo's to answer, on both servers:
  { name: "two operations, none named", body: () => ({ query: "query A { __typename } query B { __typename }" }), lean: false },
  { name: "an unknown operation name", body: () => ({ query: "query A { __typename }", operationName: "C" }), lean: false },
  { name: "a syntax error", body: () => ({ query: "{ viewer { " }), lean: false },
  { name: "an unknown field", body: () => ({ query: "{ viewr { authenticated } }" }), lean: false },
  { name: "an empty query", body: () => ({ query: "" }), lean: false },
  { name: "an empty operation name", body: () => ({ query: "query A { __typename }", operationName: "" }), lean: false },
  { name: "variables as an array", body: () => ({ query: "{ __typename }", variables: [] }), lean: false },
  { name: "an operation name choosing the subscription", body: () => ({ query: "query Q { __typename } subscription S { postPublished { id } }", operationName: "S" }), lean: false },
  { name: "a Latin-1 JSON body", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "application/json; charset=latin1" }, lean: false },
  { name: "two content types in one header", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "application/json, text/plain" }, lean: false },
  { name: "the graphql-response+json media type as content type", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "application/graphql-response+json" }, lean: false },
  { name: "a document too long to be prepared", body: () => ({ query: `{ __typename }${" ".repeat(70_000)}` }), lean: false },
  { name: "no query", body: () => ({ variables: {} }), lean: false },
  { name: "a persisted query", body: () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }), lean: false },
  { name: "variables as a string", body: () => ({ query: "{ __typename }", variables: "{}" }), lean: false },
  { name: "an operation name that is not a string", body: () => ({ query: "{ __typename }", operationName: 7 }), lean: false },
  { name: "a batch", body: () => '[{"query":"{ __typename }"}]', lean: false },
  { name: "a subscription over HTTP", body: () => ({ query: "subscription { postPublished { id } }" }), lean: false },
  { name: "an unacceptable Accept header", body: () => ({ query: "{ __typename }" }), headers: { accept: "text/html" }, lean: false },
  { name: "a text/plain body (CSRF-prone)", body: () => ({ query: "{ __typename }" }), headers: { "content-type": "text/plain" }, lean: false },
];

describe.each([
  { mode: "NODE_ENV=test (masked errors)", env: {} as Record<string, string>, production: false },
  { mode: "DEBUG_ERRORS=true (stack traces)", env: { DEBUG_ERRORS: "true" } as Record<string, string>, production: false },
  {
    mode: "NODE_ENV=production (no introspection, no suggestions)",
    env: { NODE_ENV: "production", SEED_DEMO_USERS: "false", HOST: "127.0.0.1" } as Record<string, string>,
    production: true,
  },
])("the lean GraphQL path, $mode", ({ env, production }) => {
  let lean: TestServer;
  let apollo: TestServer;
  const logs = { lean: [] as string[], apollo: [] as string[] };
  const tokensOf = async (t: TestServer): Promise<Tokens> => ({
    alice: (await t.login(ALICE.email, ALICE.password)).accessToken,
    bob: (await t.login(BOB.email, BOB.password)).accessToken,
    refresh: async () => (await t.login(ALICE.email, ALICE.password)).refreshToken,
    cookie: async () =>
      cookieOf(
        await fetch(t.url, {
          method: "POST",
          headers: { "content-type": "application/json", origin: PAGE, "claimgate-refresh-token": "cookie" },
          body: JSON.stringify({ query: LOGIN, variables: { email: ALICE.email, password: ALICE.password } }),
        }),
      ),
  });
  let tokens: { lean: Tokens; apollo: Tokens };

  beforeAll(async () => {
    // Throttle limits out of the way: every case logs in, on both servers, under every Accept.
    // A short busy timeout: the database fault case holds the write lock that long.
    const limits = { LOGIN_ACCOUNT_FAILURES: "1000", LOGIN_IP_FAILURES: "1000", LOGIN_PAIR_FAILURES: "1000", CORS_ORIGINS: PAGE, DB_BUSY_TIMEOUT: "300ms", ...env };
    [lean, apollo] = await Promise.all([startTestServer(limits, { logs: logs.lean }), startTestServer(limits, { logs: logs.apollo, leanGraphQLPath: false })]);
    if (production) {
      // Production never seeds: the two accounts register through the API.
      for (const t of [lean, apollo]) {
        for (const user of [ALICE, BOB]) {
          const { body } = await t.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { status } }`, { variables: { e: user.email, p: user.password } });
          expect(body.errors).toBeUndefined();
        }
      }
    }
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
            ...(await testCase.headersFor?.(t)),
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
      const servedLean = typeof testCase.lean === "function" ? testCase.lean(production) : testCase.lean;
      expect(lean.server.leanRequestCount() - servedBefore, `served on the lean path with Accept: ${accept ?? "(none)"}`).toBe(servedLean ? 1 : 0);
    }
    expect(apollo.server.leanRequestCount()).toBe(0);
  });

  itOnSqlite("holds SQLite's file lock from another process")("answers a login that meets a database fault (503, Retry-After, request id) as Apollo does", async () => {
    const holders = await Promise.all([lean, apollo].map((t) => holdWriteLock(join(t.dataDir, "claimgate.db"), 10_000)));
    try {
      // Logging in writes a session: the lock refuses it.
      const request = (): RawRequest => ({
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: LOGIN, variables: { email: ALICE.email, password: ALICE.password } }),
      });
      const servedBefore = lean.server.leanRequestCount();
      const logged = { lean: logs.lean.length, apollo: logs.apollo.length };
      const [viaLean, viaApollo] = await Promise.all([send(lean.url, request()), send(apollo.url, request())]);
      expect(viaLean.status).toBe(503);
      expect(viaLean).toEqual(viaApollo);
      const linesOf = (lines: string[], from: number) => lines.slice(from).map(normalizeLogLine);
      expect(linesOf(logs.lean, logged.lean)).toEqual(linesOf(logs.apollo, logged.apollo));
      expect(lean.server.leanRequestCount() - servedBefore).toBe(1);
    } finally {
      await Promise.all(holders.map((holder) => holder.release()));
    }
  });
});

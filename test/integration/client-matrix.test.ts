// The same flow through the clients frontends use: log in, a guarded query, an expired token,
// refresh, a field the caller may not read. Each client must put `extensions.code` and `reason`
// where its users look for them.
import { ApolloClient as ApolloClient4, HttpLink as HttpLink4, InMemoryCache as InMemoryCache4, gql as gql4 } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { cacheExchange, createClient as createUrql, fetchExchange } from "@urql/core";
import { ApolloClient as ApolloClient3, HttpLink as HttpLink3, InMemoryCache as InMemoryCache3, gql as gql3 } from "apollo-client-3/core/index.js";
import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSocket } from "../support/socket-client.js";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ REVOCATION_SYNC_INTERVAL: "1s" });
});
afterAll(() => server?.stop());

const ME = `query Me { me { email } }`;
const SECRET = `query Secret { posts(first: 1) { title secretNote } }`;

/** What a client surfaced, read the way its documentation tells users to read it. */
interface Surfaced {
  data: any;
  errors: { code: unknown; reason: unknown; path?: readonly (string | number)[] }[];
  status?: number;
}

async function refresh(refreshToken: string): Promise<{ accessToken: string; refreshToken: string }> {
  const { body } = await server.gql(`mutation ($t: String) { refresh(refreshToken: $t) { accessToken refreshToken } }`, { variables: { t: refreshToken } });
  return body.data!["refresh"];
}

/** login → guarded query → expired token → refresh → forbidden field, through `run`. */
async function flow(run: (query: string, token: string) => Promise<Surfaced>) {
  const login = await server.login(BOB.email, BOB.password);
  const ok = await run(ME, login.accessToken);
  expect(ok.errors).toEqual([]);
  expect(ok.data.me.email).toBe(BOB.email);

  server.clock.advance(16 * 60);
  try {
    const expired = await run(ME, login.accessToken);
    expect(expired.errors[0]).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
    // Where a client shows the status (graphql-request, which accepts application/graphql-response+json): 401.
    if (expired.status !== undefined) expect(expired.status).toBe(401);
    const fresh = await refresh(login.refreshToken);
    const again = await run(ME, fresh.accessToken);
    expect(again.errors).toEqual([]);
    expect(again.data.me.email).toBe(BOB.email);

    const forbidden = await run(SECRET, fresh.accessToken);
    expect(forbidden.errors[0]).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS", path: ["posts", 0, "secretNote"] });
    expect(forbidden.data.posts[0].title).toEqual(expect.any(String));
    expect(forbidden.data.posts[0].secretNote).toBeNull();
    if (forbidden.status !== undefined) expect(forbidden.status).toBe(200);
  } finally {
    server.clock.advance(-16 * 60);
  }
}

const codesOf = (errors: readonly { extensions?: Record<string, unknown>; path?: readonly (string | number)[] }[] | undefined) =>
  (errors ?? []).map((error) => ({ code: error.extensions?.["code"], reason: error.extensions?.["reason"], ...(error.path ? { path: error.path } : {}) }));

/** Whether application/json clients get 200 with the codes in `errors` (the status table of issue 9). */
async function jsonClientsGet200(): Promise<boolean> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: "Bearer expired.or.garbage" },
    body: JSON.stringify({ query: ME }),
  });
  return response.status === 200;
}

describe("client matrix", () => {
  it("Apollo Client 4: a CombinedGraphQLErrors whose errors carry code and reason", async () => {
    await flow(async (query, token) => {
      const client = new ApolloClient4({ link: new HttpLink4({ uri: server.url, headers: { authorization: `Bearer ${token}` } }), cache: new InMemoryCache4() });
      const result = await client.query({ query: gql4(query), errorPolicy: "all", fetchPolicy: "no-cache" });
      const errors = CombinedGraphQLErrors.is(result.error) ? result.error.errors : [];
      if (result.error && !CombinedGraphQLErrors.is(result.error)) throw result.error;
      return { data: result.data, errors: codesOf(errors) };
    });
  });

  it("Apollo Client 3: error.graphQLErrors carry code and reason (needs application/json answered with 200)", async (context) => {
    // Apollo Client 3 accepts */* and reads no errors from a 401 ("Received status code 401",
    // graphQLErrors: []): it depends on the status table that answers application/json with 200.
    if (!(await jsonClientsGet200())) context.skip("waits for the issue-9 status table (application/json clients get 200)");
    await flow(async (query, token) => {
      const client = new ApolloClient3({ link: new HttpLink3({ uri: server.url, headers: { authorization: `Bearer ${token}` } }), cache: new InMemoryCache3() });
      try {
        const result = await client.query({ query: gql3(query), errorPolicy: "all", fetchPolicy: "no-cache" });
        return { data: result.data, errors: codesOf(result.errors ?? result.error?.graphQLErrors) };
      } catch (error: any) {
        return { data: null, errors: codesOf(error.graphQLErrors) };
      }
    });
  });

  it("urql with its defaults (queries as GET): result.error.graphQLErrors carry code and reason", async () => {
    await flow(async (query, token) => {
      const client = createUrql({ url: server.url, exchanges: [cacheExchange, fetchExchange], fetchOptions: { headers: { authorization: `Bearer ${token}` } } });
      const result = await client.query(query, {}, { requestPolicy: "network-only" }).toPromise();
      if (result.error?.networkError) throw result.error.networkError;
      return { data: result.data, errors: codesOf(result.error?.graphQLErrors) };
    });
  });

  it("graphql-request: ClientError.response.errors carry code and reason", async () => {
    await flow(async (query, token) => {
      const client = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${token}` } });
      try {
        return { data: await client.request<any>(query), errors: [] };
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        return { data: error.response.data, errors: codesOf(error.response.errors), status: error.response.status };
      }
    });
  });

  it("graphql-ws client: 4401 on the expired connection, FORBIDDEN in the event's errors", async () => {
    const login = await server.login(BOB.email, BOB.password);
    const socket = openSocket(server.url, login.accessToken);
    await socket.connected;
    server.clock.advance(16 * 60);
    try {
      // graphql-ws's client does not retry 4401: get a new token, then connect again.
      expect((await socket.closed).code).toBe(4401);
      const fresh = await refresh(login.refreshToken);
      const renewed = openSocket(server.url, fresh.accessToken);
      const before = server.server.services.postFeed.subscriberCount;
      const events = renewed.subscribe(`subscription { postPublished { title secretNote } }`);
      while (server.server.services.postFeed.subscriberCount <= before) await new Promise((resolve) => setTimeout(resolve, 10));
      const alice = await server.login("alice@example.com", "alice-password-123");
      await server.gql(`mutation { createPost(input: { title: "matrix", body: "b", secretNote: "s" }) { id } }`, { token: alice.accessToken });
      const event = await events.next();
      expect(event.data).toEqual({ postPublished: { title: "matrix", secretNote: null } });
      expect(codesOf(event.errors)[0]).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS", path: ["postPublished", "secretNote"] });
      await renewed.dispose();
    } finally {
      server.clock.advance(-16 * 60);
    }
  });
});

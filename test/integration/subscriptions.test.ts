import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import WebSocket from "ws";
import { postGraphQL } from "../support/server-process.js";
import { openSocket, type TestSocket } from "../support/socket-client.js";
import { ALICE, BOB, startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
const sockets: TestSocket[] = [];
const open = (token?: string) => {
  const socket = openSocket(server.url, token);
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  server = await startTestServer({ REVOCATION_SYNC_INTERVAL: "1s" });
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await server?.stop();
});

const POST_PUBLISHED = `subscription { postPublished { id title authorId } }`;
const CREATE_POST = `mutation ($title: String!) { createPost(input: { title: $title, body: "b" }) { id } }`;

/** Resolves once this process's feed has `count` listeners: the subscription is in place. */
async function listening(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.server.services.postFeed.subscriberCount < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} subscribers`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function publish(title: string): Promise<string> {
  const alice = await server.login(ALICE.email, ALICE.password);
  const { body } = await server.gql(CREATE_POST, { token: alice.accessToken, variables: { title } });
  return body.data!["createPost"].id;
}

describe("subscriptions over WebSocket", () => {
  it("a reader receives each post createPost publishes", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const socket = open(bob.accessToken);
    const before = server.server.services.postFeed.subscriberCount;
    const received = socket.subscribe(POST_PUBLISHED);
    await listening(before + 1);
    const id = await publish("live one");
    expect((await received.next()).data.postPublished).toMatchObject({ id, title: "live one" });
    const metrics = await (await fetch(new URL("/metrics", server.url))).text();
    expect(Number(/^claimgate_websocket_connections (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    received.stop();
  });

  it("without a token the guarded subscription answers UNAUTHENTICATED; with a rejected token the socket closes 4401", async () => {
    const anonymous = open();
    // A subscription refused when it starts gets one result with the error, then completes (graphql-ws).
    const refused = anonymous.subscribe(POST_PUBLISHED);
    expect((await refused.next()).errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" });
    expect(await refused.done).toBeNull();
    const rejected = open("not-a-token");
    expect((await rejected.closed).code).toBe(4401);
  });

  it("the HTTP gates apply: queries and ordinary mutations are refused, limits hold", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const socket = open(bob.accessToken);
    const query = (await socket.subscribe(`{ viewer { authenticated } }`).done) as any[];
    expect(query[0].extensions.code).toBe("BAD_REQUEST");
    const login = (await socket.subscribe(`mutation { login(email: "a@b.c", password: "x") { accessToken } }`).done) as any[];
    expect(login[0].extensions.code).toBe("BAD_REQUEST");
    const twoOperations = `subscription A { postPublished { id } } subscription B { postPublished { title } }`;
    const ambiguous = (await socket.subscribe(twoOperations).done) as any[];
    expect(ambiguous[0].extensions.code).toBe("BAD_REQUEST");
    const tooManyTokens = `subscription { postPublished { ${"id ".repeat(1200)} } }`;
    const parsed = (await socket.subscribe(tooManyTokens).done) as any[];
    expect(parsed[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
    const aliases = `subscription { postPublished { ${Array.from({ length: 20 }, (_, i) => `a${i}: id`).join(" ")} } }`;
    const limited = (await socket.subscribe(aliases).done) as any[];
    expect(limited[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("a browser page on an origin CORS_ORIGINS does not allow cannot open a socket; clients without Origin can", async () => {
    const ws = server.url.replace(/^http/, "ws");
    const refused = new WebSocket(ws, "graphql-transport-ws", { origin: "https://evil.example" });
    refused.on("error", () => {});
    const [, response] = (await once(refused, "unexpected-response")) as [unknown, IncomingMessage];
    expect(response.statusCode).toBe(401);
    refused.terminate();
    const allowed = new WebSocket(ws, "graphql-transport-ws", { origin: "http://localhost:5173" });
    await once(allowed, "open");
    allowed.close();
  });

  it("behind a trusted proxy the client address comes from X-Forwarded-For (TRUST_PROXY), as over HTTP", async () => {
    const logs: string[] = [];
    const proxied = await startTestServer({ TRUST_PROXY: "loopback" }, { logs });
    try {
      const { accessToken } = await proxied.login(BOB.email, BOB.password);
      const socket = new WebSocket(proxied.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers: { "x-forwarded-for": "203.0.113.7" } });
      await once(socket, "open");
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${accessToken}` } }));
      await once(socket, "message");
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: POST_PUBLISHED } }));
      const deadline = Date.now() + 10_000;
      while (!logs.some((line) => line.includes('"socket_operation"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(JSON.parse(logs.find((line) => line.includes('"socket_operation"'))!)).toMatchObject({ ip: "203.0.113.7", requestId: expect.any(String) });
      socket.close();
    } finally {
      await proxied.stop();
    }
  });

  it("a subscription sent over HTTP is refused with BAD_REQUEST naming WebSocket", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const response = await server.gql(POST_PUBLISHED, { token: bob.accessToken });
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: "BAD_REQUEST", reason: "OPERATION_TYPE_NOT_SERVED" });
    expect(response.body.errors![0]!.message).toContain("WebSocket");
  });

  it("the pre-execution authorization hook sees every socket operation with its context and can refuse it", async () => {
    const seen: { operationName: string | null | undefined; subject: unknown }[] = [];
    const guarded = await startTestServer({}, {
      preExecutionCheck: ({ operationName, context }) => {
        seen.push({ operationName, subject: context.auth.claims?.sub });
        return operationName === "Refused" ? [new GraphQLError("refused before execution", { extensions: { code: "FORBIDDEN", reason: "PRE_EXECUTION" } })] : [];
      },
    });
    try {
      const bob = await guarded.login(BOB.email, BOB.password);
      const socket = openSocket(guarded.url, bob.accessToken);
      const refused = (await socket.subscribe(`subscription Refused { postPublished { id } }`).done) as any[];
      expect(refused[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "PRE_EXECUTION" });
      expect(seen).toEqual([{ operationName: "Refused", subject: bob.user.id }]);
      await socket.dispose();
    } finally {
      await guarded.stop();
    }
  });

  it("logout closes the session's sockets with 4401 at once", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const socket = open(bob.accessToken);
    await socket.connected;
    await server.gql(`mutation ($t: String) { logout(refreshToken: $t) }`, { variables: { t: bob.refreshToken } });
    expect(await socket.closed).toMatchObject({ code: 4401, reason: "Session ended" });
  });

  it("an expired token closes the socket with 4401 within the sync interval", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const socket = open(bob.accessToken);
    await socket.connected;
    server.clock.advance(16 * 60);
    try {
      expect(await socket.closed).toMatchObject({ code: 4401, reason: "Token expired" });
    } finally {
      // Later tests share the database with a process on real time.
      server.clock.advance(-16 * 60);
    }
  });

  it("renewConnection replaces the token without reconnecting: subscriptions continue past the old expiry", async () => {
    const bob = await server.login(BOB.email, BOB.password);
    const socket = open(bob.accessToken);
    const before = server.server.services.postFeed.subscriberCount;
    const received = socket.subscribe(POST_PUBLISHED);
    await listening(before + 1);
    server.clock.advance(10 * 60);
    const refreshed = await server.gql(`mutation ($t: String) { refresh(refreshToken: $t) { accessToken } }`, { variables: { t: bob.refreshToken } });
    const renewed = await socket.request(`mutation ($t: String!) { renewConnection(accessToken: $t) }`, { t: refreshed.body.data!["refresh"].accessToken });
    expect(renewed.data).toEqual({ renewConnection: true });
    // A control socket keeps the first token: once it closes, a sweep has judged both sockets.
    const control = open(bob.accessToken);
    await control.connected;
    let closed = false;
    void socket.closed.then(() => (closed = true));
    server.clock.advance(10 * 60); // the first token has expired; the second has not
    expect(await control.closed).toMatchObject({ code: 4401, reason: "Token expired" });
    expect(closed).toBe(false);
    const id = await publish("after renewal");
    expect((await received.next()).data.postPublished.id).toBe(id);

    const alice = await server.login(ALICE.email, ALICE.password);
    const foreign = await socket.request(`mutation ($t: String!) { renewConnection(accessToken: $t) }`, { t: alice.accessToken });
    expect(foreign.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "SUBJECT_MISMATCH" });
    const garbage = await socket.request(`mutation ($t: String!) { renewConnection(accessToken: $t) }`, { t: "garbage" });
    expect(garbage.errors![0].extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
    received.stop();
    server.clock.advance(-20 * 60);
  });

  it("a claim change that keeps what the subscription needs (granted by a role) leaves it running", async () => {
    const erin = { email: "erin-ws@example.com", password: "erin-password-123" };
    const registered = await server.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { user { id } } } }`, {
      variables: { e: erin.email, p: erin.password },
    });
    const erinId = registered.body.data!["register"].auth.user.id;
    const admin = await server.login(ALICE.email, ALICE.password);
    const granted = await server.gql(`mutation ($id: ID!) { grantRole(userId: $id, role: "reader") { id } }`, { token: admin.accessToken, variables: { id: erinId } });
    expect(granted.body.errors).toBeUndefined();
    const { accessToken } = await server.login(erin.email, erin.password);
    const socket = open(accessToken);
    const before = server.server.services.postFeed.subscriberCount;
    const received = socket.subscribe(POST_PUBLISHED);
    await listening(before + 1);
    // Her own claims change (the version moves); posts:read still comes from the reader role.
    const changed = await server.gql(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { nickname: "erin" }) { id } }`, {
      token: admin.accessToken,
      variables: { id: erinId },
    });
    expect(changed.body.errors).toBeUndefined();
    const id = await publish("still allowed");
    expect(await received.next()).toEqual({ data: { postPublished: expect.objectContaining({ id, title: "still allowed" }) } });
    received.stop();
  });

  it("losing the claim a subscription needs ends it with FORBIDDEN, then the socket closes 4403", async () => {
    const carol = { email: "carol-ws@example.com", password: "carol-password-123" };
    const registered = await server.gql(
      `mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { user { id } } } }`,
      { variables: { e: carol.email, p: carol.password } },
    );
    const carolId = registered.body.data!["register"].auth.user.id;
    const admin = await server.login(ALICE.email, ALICE.password);
    const setClaims = (claims: object) =>
      server.gql(`mutation ($id: ID!, $c: JSON!) { setUserClaims(userId: $id, claims: $c) { id } }`, {
        token: admin.accessToken,
        variables: { id: carolId, c: claims },
      });
    await setClaims({ permissions: ["posts:read"] });
    const { accessToken } = await server.login(carol.email, carol.password);
    const socket = open(accessToken);
    const before = server.server.services.postFeed.subscriberCount;
    const received = socket.subscribe(POST_PUBLISHED);
    await listening(before + 1);
    await setClaims({ permissions: [] });
    const outcome = await received.next();
    expect(outcome.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS" });
    expect((await socket.closed).code).toBe(4403);
  });

  it("another server sharing the database: its revocation closes the socket (4401), its claim change ends the subscription (FORBIDDEN, 4403)", async () => {
    // In this process, but sharing nothing with `server` but the database (its own caches,
    // connections and clock): what it does reaches `server` only through the database's sync.
    const other = await startTestServer({ ...server.env, SEED_DEMO_USERS: "false" });
    try {
      const bob = await server.login(BOB.email, BOB.password);
      const socket = open(bob.accessToken);
      await socket.connected;
      const started = Date.now();
      const { body } = await postGraphQL(other.url, `mutation ($t: String) { logout(refreshToken: $t) }`, { variables: { t: bob.refreshToken } });
      expect(body.data).toEqual({ logout: true });
      expect(await socket.closed).toMatchObject({ code: 4401, reason: "Session ended" });
      expect(Date.now() - started).toBeLessThan(5_000);

      // A claim change made there ends the subscriptions here that need the lost claim.
      const dave = { email: "dave-ws@example.com", password: "dave-password-123" };
      const registered = await server.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { user { id } } } }`, {
        variables: { e: dave.email, p: dave.password },
      });
      const daveId = registered.body.data!["register"].auth.user.id;
      const admin = (await postGraphQL(other.url, `mutation { login(email: "alice@example.com", password: "alice-password-123") { accessToken } }`)).body.data.login;
      const setClaims = (claims: object) =>
        postGraphQL(other.url, `mutation ($id: ID!, $c: JSON!) { setUserClaims(userId: $id, claims: $c) { id } }`, { token: admin.accessToken, variables: { id: daveId, c: claims } });
      await setClaims({ permissions: ["posts:read"] });
      const daveLogin = await server.login(dave.email, dave.password);
      const daveSocket = open(daveLogin.accessToken);
      const before = server.server.services.postFeed.subscriberCount;
      const received = daveSocket.subscribe(POST_PUBLISHED);
      await listening(before + 1);
      await setClaims({ permissions: [] });
      expect((await received.next()).errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS" });
      expect((await daveSocket.closed).code).toBe(4403);
    } finally {
      await other.stop();
    }
  });
});

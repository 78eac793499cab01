// The typed client example (examples/typed-client) against the real server.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { claimgateErrors, createClaimgateClient, MeDocument, PostPublishedDocument, PostsDocument } from "../../examples/typed-client/src/index.js";
import { openSocket } from "../support/socket-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  // A short access token lifetime from configuration; the test clock steps past it.
  t = await startTestServer({ ACCESS_TOKEN_TTL: "30s", CLOCK_TOLERANCE: "0s", REVOCATION_SYNC_INTERVAL: "1s" });
});
afterAll(() => t.stop());

describe("typed client", () => {
  it("logs in and reads a protected field with typed results", async () => {
    const { client, login } = createClaimgateClient({ url: t.url });
    const user = await login("bob@example.com", "bob-password-123");
    expect(user.email).toBe("bob@example.com");
    const { data } = await client.query({ query: MeDocument, fetchPolicy: "no-cache" });
    // data.me is typed from schema.graphql: id and email are strings.
    const email: string | undefined = data?.me.email;
    expect(email).toBe("bob@example.com");
  });

  it("refreshes once when the access token expires, stores the rotated tokens and retries", async () => {
    const { client, login, store } = createClaimgateClient({ url: t.url });
    await login("alice@example.com", "alice-password-123");
    const before = store.get()!;

    t.clock.advance(31);
    try {
      // Two operations at once: they share one refresh, because a refresh token works once.
      const [me, posts] = await Promise.all([
        client.query({ query: MeDocument, fetchPolicy: "no-cache" }),
        client.query({ query: PostsDocument, variables: { first: 5 }, fetchPolicy: "no-cache" }),
      ]);
      expect(me.data?.me.email).toBe("alice@example.com");
      expect(posts.data?.posts.length).toBeGreaterThan(0);
    } finally {
      t.clock.advance(-31);
    }

    const after = store.get()!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const sessionId = decodeJwt(after.accessToken).sid as string;
    // Exactly one rotation: the login's token and its one successor.
    expect(await t.server.services.db.refreshToken.count({ where: { sessionId } })).toBe(2);
  });

  it("retries with the new token, without a second refresh, when a TOKEN_EXPIRED answer arrives after a concurrent operation's refresh", async () => {
    // The Posts answer (TOKEN_EXPIRED, sent with the old token) is held until the refresh that
    // the Me query started has come back: refreshing again then would spend the new refresh token.
    let refreshed!: () => void;
    const refreshDone = new Promise<void>((resolve) => (refreshed = resolve));
    const heldFetch: typeof fetch = async (input, init) => {
      const body = typeof init?.body === "string" ? init.body : "";
      const response = await fetch(input, init);
      if (body.includes("mutation Refresh")) {
        await response.clone().text();
        setTimeout(refreshed, 20); // once the link has stored the new tokens
      } else if (body.includes("query Posts")) await refreshDone;
      return response;
    };
    const { client, login, store } = createClaimgateClient({ url: t.url, fetch: heldFetch });
    await login("alice@example.com", "alice-password-123");
    t.clock.advance(31);
    try {
      const [me, posts] = await Promise.all([
        client.query({ query: MeDocument, fetchPolicy: "no-cache" }),
        client.query({ query: PostsDocument, variables: { first: 5 }, fetchPolicy: "no-cache" }),
      ]);
      expect([me.data?.me.email, (posts.data?.posts.length ?? 0) > 0]).toEqual(["alice@example.com", true]);
    } finally {
      t.clock.advance(-31);
    }
    const sessionId = decodeJwt(store.get()!.accessToken).sid as string;
    expect(await t.server.services.db.refreshToken.count({ where: { sessionId } })).toBe(2);
  });

  it("surfaces a FORBIDDEN field as a typed error next to the data", async () => {
    const { client, login } = createClaimgateClient({ url: t.url });
    await login("bob@example.com", "bob-password-123");
    const result = await client.query({ query: PostsDocument, variables: { first: 5 }, fetchPolicy: "no-cache", errorPolicy: "all" });
    expect(result.data?.posts.every((post) => post.secretNote === null)).toBe(true);

    const errors = claimgateErrors(result.error);
    expect(errors.length).toBeGreaterThan(0);
    const first = errors[0]!;
    if (first.code !== "FORBIDDEN") throw new Error(`expected FORBIDDEN, got ${first.code}`);
    // Narrowed by its code: requiredClaims is typed string[].
    expect(first.requiredClaims).toEqual(["role=admin"]);
    expect(first.path).toEqual(["posts", 0, "secretNote"]);
  });

  it("without a session the error is UNAUTHENTICATED / MISSING_TOKEN", async () => {
    const { client } = createClaimgateClient({ url: t.url });
    const result = await client.query({ query: MeDocument, fetchPolicy: "no-cache", errorPolicy: "all" });
    expect(claimgateErrors(result.error)).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" })]);
  });

  it("subscribes, and the subscription survives a token refresh without reconnecting", async () => {
    const { client, login, refresh, store, dispose } = createClaimgateClient({ url: t.url, webSocketImpl: WebSocket });
    await login("bob@example.com", "bob-password-123");
    const first = store.get()!.accessToken;
    const titles: string[] = [];
    let failed: unknown = null;
    const before = t.server.services.postFeed.subscriberCount;
    const subscription = client.subscribe({ query: PostPublishedDocument }).subscribe({
      next: ({ data }) => data && titles.push(data.postPublished.title),
      error: (error) => (failed = error),
    });
    await expect.poll(() => t.server.services.postFeed.subscriberCount).toBe(before + 1);
    // A control socket keeps the first token: when it closes, the server has judged every socket.
    const control = openSocket(t.url, first);
    await control.connected;
    try {
      t.clock.advance(20);
      await refresh(); // the socket now carries the new token
      t.clock.advance(15); // the first token has expired
      expect((await control.closed).code).toBe(4401);
      const alice = await t.login("alice@example.com", "alice-password-123");
      await t.gql(`mutation { createPost(input: { title: "survived", body: "b" }) { id } }`, { token: alice.accessToken });
      await expect.poll(() => titles).toContain("survived");
      expect(failed).toBeNull();
    } finally {
      t.clock.advance(-35);
      subscription.unsubscribe();
      await dispose();
    }
  });
});

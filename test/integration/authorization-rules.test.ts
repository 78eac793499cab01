// The rules people write, over real HTTP: "published, or yours, or an administrator" on Post,
// guarded input fields, mutations refused whole before any resolver runs (checked in the
// database), __typename on guarded objects, and enforce: false rollouts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
const logs: string[] = [];
type Caller = { accessToken: string; user: { id: string } };
let alice: Caller; // role=admin, posts:read + posts:write
let bob: Caller; // posts:read
let carol: Caller; // posts:write only: may create, may not read others' posts
let dave: Caller; // no claims at all
let alicesDraft: string;
let bobsPost: string;
let bobsDraft: string;

async function registerWith(email: string, claims: Record<string, unknown>): Promise<Caller> {
  const password = `${email}-password-123`;
  const registered = await t.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { user { id } } } }`, {
    variables: { e: email, p: password },
  });
  expect(registered.body.errors).toBeUndefined();
  await t.server.services.db.user.update({ where: { email }, data: { claims: JSON.stringify(claims) } });
  return t.login(email, password);
}

const postCount = (title: string) => t.server.services.db.post.count({ where: { title } });

beforeAll(async () => {
  t = await startTestServer({}, { logs });
  [alice, bob] = await Promise.all([t.login(ALICE.email, ALICE.password), t.login(BOB.email, BOB.password)]);
  [carol, dave] = await Promise.all([registerWith("carol@example.com", { permissions: ["posts:write"] }), registerWith("dave@example.com", {})]);
  const draft = await t.gql(`mutation { createPost(input: { title: "alice's draft", body: "unfinished", published: false }) { id } }`, {
    token: alice.accessToken,
  });
  alicesDraft = draft.body.data!["createPost"].id;
  const posts = await t.server.services.db.post.findMany({ where: { authorId: bob.user.id } });
  bobsPost = posts.find((post) => post.published)!.id;
  bobsDraft = posts.find((post) => !post.published)!.id;
});
afterAll(() => t.stop());

const readPost = (id: string, token: string, selection = "title body published") =>
  t.gql(`query ($id: ID!) { post(id: $id) { ${selection} } }`, { token, variables: { id } });

describe("post(id): published needs posts:read; a draft reaches only its author or an administrator", () => {
  it("bob (posts:read) no longer reads alice's draft: null with FORBIDDEN naming the alternatives", async () => {
    const response = await readPost(alicesDraft, bob.accessToken);
    expect(response.body.data).toEqual({ post: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.path).toEqual(["post"]);
    expect(firstError(response)).toMatchObject({
      code: "FORBIDDEN",
      reason: "MISSING_CLAIMS",
      type: "Post",
      requiredAnyOf: [["permissions=posts:read", "{source.published}"], ["sub={source.authorId}"], ["role=admin"]],
    });
    // The error names the rule, never the post's data (its author stays unknown).
    expect(JSON.stringify(response.body)).not.toContain(alice.user.id);
    expect(JSON.stringify(response.body)).not.toContain("unfinished");
  });

  it("the author and an administrator read a draft", async () => {
    expect((await readPost(alicesDraft, alice.accessToken)).body.data).toEqual({ post: { title: "alice's draft", body: "unfinished", published: false } });
    expect((await readPost(bobsDraft, bob.accessToken)).body.data).toEqual({ post: { title: "bob's draft", body: "Only bob can read his drafts.", published: false } });
    expect((await readPost(bobsDraft, alice.accessToken)).body.errors).toBeUndefined();
  });

  it("a published post needs posts:read: bob reads it, dave (no claims) gets null with FORBIDDEN", async () => {
    expect((await readPost(bobsPost, bob.accessToken)).body.data).toEqual({ post: { title: "Hello from bob", body: "bob can read posts but not write them.", published: true } });
    const refused = await readPost(bobsPost, dave.accessToken);
    expect(refused.body.data).toEqual({ post: null });
    expect(firstError(refused)).toMatchObject({ code: "FORBIDDEN", type: "Post" });
  });

  it("__typename on a withheld post reveals nothing", async () => {
    const response = await readPost(alicesDraft, bob.accessToken, "__typename");
    expect(response.body.data).toEqual({ post: null });
    expect(firstError(response)).toMatchObject({ code: "FORBIDDEN" });
    const viaFragment = await t.gql(`query ($id: ID!) { post(id: $id) { ...F } } fragment F on Post { __typename }`, {
      token: dave.accessToken,
      variables: { id: bobsPost },
    });
    expect(viaFragment.body.data).toEqual({ post: null });
  });

  it("an unknown id is still plain null, without an error", async () => {
    const response = await readPost("no-such-post", bob.accessToken);
    expect(response.body).toEqual({ data: { post: null } });
  });

  it("the same rule guards posts wherever they come from: drafts() for an administrator, User.posts", async () => {
    const drafts = await t.gql(`query ($id: ID!) { drafts(authorId: $id) { title } }`, { token: alice.accessToken, variables: { id: bob.user.id } });
    expect(drafts.body.data).toEqual({ drafts: [{ title: "bob's draft" }] });
    const mine = await t.gql(`{ me { posts { title } } }`, { token: dave.accessToken });
    expect(mine.body).toEqual({ data: { me: { posts: [] } } });
  });
});

describe("guarded inputs and mutations refused whole", () => {
  it("CreatePostInput.secretNote requires role=admin: carol's mutation is refused before it runs, and nothing is written", async () => {
    const response = await t.gql(`mutation { createPost(input: { title: "carol's note attempt", body: ".", secretNote: "mine" }) { title } }`, {
      token: carol.accessToken,
    });
    expect(response.body.data).toBeNull();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.path).toEqual(["createPost"]);
    expect(firstError(response)).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS", requiredClaims: ["role=admin"], argument: "input.secretNote" });
    expect(await postCount("carol's note attempt")).toBe(0);
    const denial = logs.map((line) => JSON.parse(line)).find((line) => line.event === "authorization_denied" && line.argument === "input.secretNote");
    expect(denial).toMatchObject({ subject: carol.user.id, path: "createPost", code: "FORBIDDEN", refusedBeforeExecution: true });
  });

  it("the same through a variable; a null secretNote is not supplying it", async () => {
    const mutation = `mutation ($input: CreatePostInput!) { createPost(input: $input) { title } }`;
    const refused = await t.gql(mutation, { token: carol.accessToken, variables: { input: { title: "carol via variable", body: ".", secretNote: "x" } } });
    expect(refused.body.data).toBeNull();
    expect(firstError(refused)).toMatchObject({ argument: "input.secretNote" });
    expect(await postCount("carol via variable")).toBe(0);

    const allowed = await t.gql(mutation, { token: carol.accessToken, variables: { input: { title: "carol without note", body: ".", secretNote: null } } });
    expect(allowed.body).toEqual({ data: { createPost: { title: "carol without note" } } });
    expect(await postCount("carol without note")).toBe(1);
  });

  it("an administrator may set secretNote", async () => {
    const response = await t.gql(`mutation { createPost(input: { title: "alice's note", body: ".", secretNote: "n" }) { secretNote } }`, {
      token: alice.accessToken,
    });
    expect(response.body).toEqual({ data: { createPost: { secretNote: "n" } } });
  });

  it("createPost selecting a field the caller can never read (secretNote) is refused whole; nothing is created", async () => {
    const response = await t.gql(`mutation { made: createPost(input: { title: "carol reads note", body: "." }) { title ... on Post { secretNote } } }`, {
      token: carol.accessToken,
    });
    expect(response.body.data).toBeNull();
    expect(response.body.errors!.map((error) => error.path)).toEqual([["made", "secretNote"]]);
    expect(firstError(response)).toMatchObject({ code: "FORBIDDEN", requiredClaims: ["role=admin"] });
    expect(await postCount("carol reads note")).toBe(0);
  });

  it("every denied place gets its own error, with its path", async () => {
    const response = await t.gql(
      `mutation { a: createPost(input: { title: "two denials", body: ".", secretNote: "x" }) { secretNote } b: createPost(input: { title: "ok", body: "." }) { id } }`,
      { token: carol.accessToken },
    );
    expect(response.body.data).toBeNull();
    expect(response.body.errors!.map((error) => [error.path, error.extensions!["argument"] ?? null])).toEqual([
      [["a"], "input.secretNote"],
      [["a", "secretNote"], null],
    ]);
    expect(await postCount("two denials")).toBe(0);
    expect(await postCount("ok")).toBe(0);
  });

  it("without posts:read, carol still reads the post she just created (hers), so nothing is created unseen", async () => {
    const response = await t.gql(`mutation { createPost(input: { title: "carol's own", body: "." }) { title authorId } }`, { token: carol.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { createPost: { title: "carol's own", authorId: carol.user.id } } });
  });

  it("an anonymous mutation is refused whole with UNAUTHENTICATED", async () => {
    const response = await t.gql(`mutation { createPost(input: { title: "anonymous", body: "." }) { title } }`);
    expect(response.body.data).toBeNull();
    expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" });
    expect(await postCount("anonymous")).toBe(0);
  });

  it("50 concurrent refused mutations write nothing", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.gql(`mutation { createPost(input: { title: "burst", body: ".", secretNote: "x" }) { id } }`, { token: carol.accessToken }),
      ),
    );
    expect(responses.every((response) => response.body.data === null)).toBe(true);
    expect(await postCount("burst")).toBe(0);
  });
});

describe("enforce: false: evaluated, logged and counted, never denied", () => {
  it("post(id)'s posts:read rollout: logged and counted for carol, never denied; nothing for bob", async () => {
    const before = logs.length;
    const response = await readPost(alicesDraft, carol.accessToken, "title");
    // carol may not read alice's draft (the Post rule, enforced), but post(id) itself ran for her.
    expect(firstError(response)).toMatchObject({ code: "FORBIDDEN", type: "Post" });
    const own = await t.gql(`mutation { createPost(input: { title: "carol's draft", body: ".", published: false }) { id } }`, { token: carol.accessToken });
    const ownDraft = await readPost(own.body.data!["createPost"].id, carol.accessToken, "title");
    expect(ownDraft.body).toEqual({ data: { post: { title: "carol's draft" } } });
    const events = logs.slice(before).map((line) => JSON.parse(line)).filter((line) => line.event === "authorization_would_deny");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ subject: carol.user.id, coordinate: "Query.post", kind: "field", requiredClaims: ["permissions=posts:read"] });

    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(/claimgate_authorization_would_deny_total\{coordinate="Query.post"\} [1-9]\d*\n/);

    const bobBefore = logs.length;
    await readPost(bobsPost, bob.accessToken);
    expect(logs.slice(bobBefore).some((line) => line.includes("authorization_would_deny"))).toBe(false);
  });
});

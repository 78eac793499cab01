// @requiresClaims over real HTTP: the demo domain, every error code and reason, and the
// HTTP status / WWW-Authenticate rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
let alice: { accessToken: string; user: { id: string } };
let bob: { accessToken: string; user: { id: string } };

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([t.login(ALICE.email, ALICE.password), t.login(BOB.email, BOB.password)]);
});
afterAll(() => t.stop());

describe("claims decide what a caller sees", () => {
  it("posts need permissions=posts:read; secretNote needs role=admin", async () => {
    const query = "{ posts { title secretNote } }";
    const asAlice = await t.gql(query, { token: alice.accessToken });
    expect(asAlice.status).toBe(200);
    expect(asAlice.body.errors).toBeUndefined();
    expect(asAlice.body.data!["posts"]).toContainEqual({
      title: "Welcome to claimgate",
      secretNote: "Only tokens with role=admin can read this note.",
    });

    const asBob = await t.gql(query, { token: bob.accessToken });
    expect(asBob.status).toBe(200);
    expect(asBob.body.data!["posts"]).toContainEqual({ title: "Welcome to claimgate", secretNote: null });
    expect(asBob.body.errors!.every((e) => e.extensions!["code"] === "FORBIDDEN")).toBe(true);
    expect(firstError(asBob)).toMatchObject({ requiredClaims: ["role=admin"] });
  });

  it("the Post type's own requirement guards it wherever it is reached from", async () => {
    const { body } = await t.gql("{ me { posts { title } } }", { token: alice.accessToken });
    expect(body.errors).toBeUndefined();
  });

  it("createPost needs permissions=posts:write and has no effect when refused", async () => {
    const mutation = `mutation { createPost(input: { title: "From bob", body: "..." }) { id title authorId } }`;
    const refused = await t.gql(mutation, { token: bob.accessToken });
    expect(refused.status).toBe(403);
    expect(firstError(refused)).toMatchObject({ code: "FORBIDDEN", requiredClaims: ["permissions=posts:write"] });

    const titles = async () => ((await t.gql("{ posts(first: 100) { title } }", { token: alice.accessToken })).body.data!["posts"] as { title: string }[]).map((p) => p.title);
    expect(await titles()).not.toContain("From bob");

    const created = await t.gql(`mutation { createPost(input: { title: "From alice", body: "..." }) { title authorId } }`, {
      token: alice.accessToken,
    });
    expect(created.body.data!["createPost"]).toEqual({ title: "From alice", authorId: alice.user.id });
    expect(await titles()).toContain("From alice");
  });

  it("drafts(authorId) is templated: the author's own token (sub={authorId}) or role=admin", async () => {
    const query = "query ($id: ID!) { drafts(authorId: $id) { title } }";
    const own = await t.gql(query, { token: bob.accessToken, variables: { id: bob.user.id } });
    expect(own.body.data!["drafts"]).toEqual([{ title: "bob's draft" }]);

    const admin = await t.gql(query, { token: alice.accessToken, variables: { id: bob.user.id } });
    expect(admin.body.data!["drafts"]).toEqual([{ title: "bob's draft" }]);

    const other = await t.gql(query, { token: bob.accessToken, variables: { id: alice.user.id } });
    expect(other.status).toBe(403);
    expect(firstError(other)).toMatchObject({
      code: "FORBIDDEN",
      requiredClaims: [`sub=${alice.user.id}`],
      requiredAnyOf: [[`sub=${alice.user.id}`], ["role=admin"]],
    });
  });

  it("users needs role=admin", async () => {
    expect((await t.gql("{ users { email } }", { token: alice.accessToken })).body.data!["users"]).toEqual(
      expect.arrayContaining([{ email: ALICE.email }, { email: BOB.email }]),
    );
    expect(firstError(await t.gql("{ users { email } }", { token: bob.accessToken }))).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("requirements are visible where developers look", () => {
  it("the served schema appends each field's and type's requirements to its description", async () => {
    const { body } = await t.gql(`{
      post: __type(name: "Post") { description fields { name description } }
      query: __type(name: "Query") { fields { name description } }
    }`);
    const post = body.data!["post"];
    expect(post.description).toBe(
      "A published post needs permissions=posts:read; a draft reaches only its author and administrators.\n" +
        "Checked on each post as the field that produces it returns it, whichever field that is.\n\n" +
        "Requires (on each Post, checked as it is returned): permissions=posts:read and the post's published is true, or sub = the post's authorId, or role=admin.",
    );
    expect(post.fields.find((f: { name: string }) => f.name === "secretNote").description).toBe(
      "An editor's note that only administrators see.\n\nRequires claims: role=admin.",
    );
    const query = body.data!["query"].fields;
    expect(query.find((f: { name: string }) => f.name === "me").description).toBe("The account the access token belongs to.\n\nRequires a valid access token.");
    expect(query.find((f: { name: string }) => f.name === "viewer").description).not.toMatch(/Requires/);
  });
});

describe("UNAUTHENTICATED reasons and RFC 6750 challenges", () => {
  it("MISSING_TOKEN: 401 with a plain Bearer challenge", async () => {
    const response = await t.gql("{ me { email } }");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="claimgate"');
    expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" });
    expect(firstError(response).message).toMatch(/Authorization: Bearer/);
  });

  it("TOKEN_INVALID: 401 with error=\"invalid_token\"", async () => {
    const response = await t.gql("{ me { email } }", { token: `${alice.accessToken.slice(0, -4)}AAAA` });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="claimgate", error="invalid_token"');
    expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
  });

  it("TOKEN_INVALID for a malformed Authorization header", async () => {
    const response = await t.gql("{ me { email } }", { headers: { authorization: "Basic YWxpY2U6cGFzcw==" } });
    expect(firstError(response)).toMatchObject({ reason: "TOKEN_INVALID", message: "The Authorization header must be `Bearer <accessToken>`." });
  });

  it("TOKEN_EXPIRED once the access token's lifetime has passed", async () => {
    t.clock.advance(15 * 60 + 10);
    try {
      const response = await t.gql("{ me { email } }", { token: alice.accessToken });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
    } finally {
      t.clock.advance(-(15 * 60 + 10));
    }
  });

  it("a bad token does not fail public fields: viewer explains it, login still works", async () => {
    const response = await t.gql(
      `query { viewer { authenticated tokenError { reason } } }`,
      { token: "garbage.garbage.garbage" },
    );
    expect(response.status).toBe(200);
    expect(response.body.data!["viewer"]).toEqual({ authenticated: false, tokenError: { reason: "TOKEN_INVALID" } });

    const login = await t.gql(`mutation { login(email: "${BOB.email}", password: "${BOB.password}") { tokenType } }`, {
      token: "garbage.garbage.garbage",
    });
    expect(login.body.data!["login"]).toEqual({ tokenType: "Bearer" });
  });

  it("viewer shows what the server sees in a valid token", async () => {
    const { body } = await t.gql("{ viewer { authenticated subject claims expiresAt tokenError { reason } } }", {
      token: bob.accessToken,
    });
    expect(body.data!["viewer"]).toMatchObject({
      authenticated: true,
      subject: bob.user.id,
      claims: expect.objectContaining({ role: "reader", roles: ["reader"], permissions: ["posts:read"], sub: bob.user.id }),
      tokenError: null,
    });
    expect(Date.parse(body.data!["viewer"].expiresAt)).toBe(t.clock().getTime() - (t.clock().getTime() % 1000) + 900_000);
  });

  it("200 whenever there is data, even with auth errors in it", async () => {
    const response = await t.gql(`{ viewer { authenticated } post(id: "any") { id } }`);
    expect(response.status).toBe(200);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(response.body.data).toEqual({ viewer: { authenticated: false }, post: null });
    expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("a non-null guarded field takes the data with it: 403 for a valid token, 401 without one", async () => {
    const response = await t.gql("{ me { email } users { email } }", { token: bob.accessToken });
    expect(response.status).toBe(403);
    const anonymous = await t.gql("{ me { email } users { email } }");
    expect(anonymous.status).toBe(401);
  });
});

describe("bad input gets a clear error", () => {
  it("BAD_USER_INPUT for a page size out of range", async () => {
    const response = await t.gql("{ posts(first: 1000) { id } }", { token: bob.accessToken });
    expect(firstError(response)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_PAGE_SIZE", field: "first" });
  });

  it("a body that is not JSON gets 400 with a GraphQL-shaped error, not an HTML page", async () => {
    const response = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }] });
  });

  it("a body over 100 KB gets 413", async () => {
    const response = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ viewer { authenticated } } # ${"x".repeat(120_000)}` }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe("The request body is larger than 100 KB.");
  });

  it("no stack traces outside development", async () => {
    const response = await t.gql("{ me { email } }");
    expect(JSON.stringify(response.body)).not.toContain("stacktrace");
  });
});

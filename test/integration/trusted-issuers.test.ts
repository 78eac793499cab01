// Tokens from external identity providers, verified against a real OpenID provider on 127.0.0.1:
// discovery, a JWKS that rotates and goes down, and every forgery the issue lists.
import { createHmac, generateKeyPairSync, randomUUID, sign as cryptoSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CryptoKey, exportSPKI, importJWK } from "jose";
import { newRsaKey, startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let a: TestOidcProvider;
let b: TestOidcProvider;
let cognito: TestOidcProvider;
let t: TestServer;

const COOLDOWN = 30;

beforeAll(async () => {
  a = await startOidcProvider({ path: "/realms/a" });
  b = await startOidcProvider({ path: "/realms/b" });
  cognito = await startOidcProvider({ path: "/eu-west-1_Pool" });
  t = await startTestServer({
    TRUSTED_ISSUERS: JSON.stringify([
      {
        issuer: a.issuer,
        audiences: ["claimgate-api", "account"],
        typ: ["at+jwt", "JWT"],
        claims: {
          role: "realm_access.roles",
          roles: "realm_access.roles",
          permissions: { from: "scope", split: " " },
        },
      },
      { issuer: b.issuer, audiences: ["claimgate-api"], jwksUri: b.jwksUri },
      {
        issuer: cognito.issuer,
        audiences: ["app-client-1"],
        audienceClaim: "client_id",
        typ: [null],
        requiredClaims: ["token_use"],
        claims: { roles: "cognito:groups" },
      },
    ]),
    JWKS_COOLDOWN: `${COOLDOWN}s`,
    JWKS_MIN_CACHE: "60s",
    JWKS_MAX_CACHE: "300s",
  });
});
afterAll(async () => {
  await t?.stop();
  await a?.close();
  await b?.close();
  await cognito?.close();
});

const KEYCLOAK_CLAIMS = { realm_access: { roles: ["admin", "offline_access"] }, scope: "openid profile posts:read" };
const POSTS = "{ posts { id title } }";
const VIEWER = "{ viewer { authenticated subject issuer external claims tokenError { reason message } } }";
const now = () => t.clock();

async function reason(token: string): Promise<{ reason: string; message: string } | null> {
  const { body } = await t.gql(VIEWER, { token });
  return body.data!["viewer"].tokenError;
}

describe("a trusted provider's token", () => {
  it("passes @requiresClaims with mapped claims: scope split into permissions, realm roles into role", async () => {
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now() });
    const posts = await t.gql(POSTS, { token });
    expect(posts.body.errors).toBeUndefined();
    expect(posts.body.data!["posts"].length).toBeGreaterThan(0);
    // users needs role=admin: the mapped role array contains it.
    const users = await t.gql("{ users { id } }", { token });
    expect(users.body.errors).toBeUndefined();
  });

  it("is shown by viewer with its issuer and mapped claims", async () => {
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now(), sub: "kc-user-7" });
    const { body } = await t.gql(VIEWER, { token });
    const viewer = body.data!["viewer"];
    expect(viewer).toMatchObject({ authenticated: true, subject: "kc-user-7", issuer: a.issuer, external: true, tokenError: null });
    expect(viewer.claims.permissions).toEqual(["openid", "profile", "posts:read"]);
    expect(viewer.claims.roles).toEqual(["admin", "offline_access"]);
  });

  it("is refused by a rule its claims do not meet (FORBIDDEN, not UNAUTHENTICATED)", async () => {
    const token = await a.sign({ realm_access: { roles: ["user"] }, scope: "openid" }, { now: now() });
    const { body } = await t.gql(POSTS, { token });
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
  });

  it("never presents sid or cv, and is not refused by our claims versions", async () => {
    const token = await a.sign({ ...KEYCLOAK_CLAIMS, sid: "forged-session", cv: -1 }, { now: now() });
    const { body } = await t.gql(VIEWER, { token });
    expect(body.data!["viewer"].authenticated).toBe(true);
    expect(body.data!["viewer"].claims).not.toHaveProperty("sid");
    expect(body.data!["viewer"].claims).not.toHaveProperty("cv");
  });

  it("cannot use operations that need a local account when the issuer does not link users", async () => {
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now() });
    const { body } = await t.gql("{ me { id } }", { token });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "NO_LOCAL_ACCOUNT" });
  });

  it("from an issuer configured with jwksUri (no discovery) verifies too", async () => {
    const token = await b.sign({}, { now: now() });
    expect(await reason(token)).toBeNull();
  });
});

describe("provider claim shapes", () => {
  it("Cognito: no aud (client_id instead), no typ header, groups under a colon name", async () => {
    const token = await cognito.sign({ client_id: "app-client-1", token_use: "access", "cognito:groups": ["admin"], scope: "posts:read" }, { now: now(), aud: null, typ: null });
    const { body } = await t.gql(VIEWER, { token });
    expect(body.data!["viewer"]).toMatchObject({ authenticated: true, claims: expect.objectContaining({ roles: ["admin"] }) });
    const posts = await t.gql("{ posts { id } }", { token });
    expect(posts.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    const wrongClient = await cognito.sign({ client_id: "app-client-2", token_use: "access" }, { now: now(), aud: null, typ: null });
    expect(await reason(wrongClient)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("client_id") });
    const typed = await cognito.sign({ client_id: "app-client-1", token_use: "access" }, { now: now(), aud: null, typ: "at+jwt" });
    expect(await reason(typed)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("typ") });
    // An ID token (aud = the client, no client_id, no token_use of its own here) is not an access token.
    const idToken = await cognito.sign({}, { now: now(), aud: "app-client-1", typ: null });
    expect(await reason(idToken)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringMatching(/client_id|token_use/) });
    const withoutUse = await cognito.sign({ client_id: "app-client-1" }, { now: now(), aud: null, typ: null });
    expect(await reason(withoutUse)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("token_use") });
  });
});

describe("forgeries and mismatches are refused", () => {
  it("the provider's kid on a token signed with another key", async () => {
    const impostor = await newRsaKey(a.keys.at(-1)!.kid);
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now(), key: impostor });
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("signature") });
    expect((await t.gql(POSTS, { token })).body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
  });

  it("a token naming issuer A signed with issuer B's key (B's kid cannot select a key of A)", async () => {
    await t.gql(VIEWER, { token: await b.sign({}, { now: now() }) });
    const token = await b.sign(KEYCLOAK_CLAIMS, { now: now(), iss: a.issuer });
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("not signed by a key its issuer publishes") });
  });

  it("an HS256 token for an RS256 issuer, keyed with the provider's public key", async () => {
    const before = a.jwksRequests;
    const publicPem = await exportSPKI((await importJWK(a.keys.at(-1)!.publicJwk, "RS256", { extractable: true })) as CryptoKey);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const iat = Math.floor(now().getTime() / 1000);
    const input = `${b64({ alg: "HS256", typ: "at+jwt", kid: a.keys.at(-1)!.kid })}.${b64({ iss: a.issuer, aud: "claimgate-api", sub: "x", iat, exp: iat + 300, ...KEYCLOAK_CLAIMS })}`;
    const token = `${input}.${createHmac("sha256", publicPem).update(input).digest("base64url")}`;
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("algorithm") });
    expect(a.jwksRequests).toBe(before);
  });

  it("a wrong audience", async () => {
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now(), aud: "some-other-api" });
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("audience") });
  });

  it("a typ the issuer does not accept (B accepts only at+jwt)", async () => {
    const token = await b.sign({}, { now: now(), typ: "JWT" });
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("typ") });
  });

  it("an expired token, and one older than MAX_TOKEN_AGE", async () => {
    const expired = await a.sign(KEYCLOAK_CLAIMS, { now: new Date(now().getTime() - 3600_000), ttlSeconds: 60 });
    expect(await reason(expired)).toMatchObject({ reason: "TOKEN_EXPIRED", message: expect.stringContaining("from its identity provider") });
    const ancient = await a.sign(KEYCLOAK_CLAIMS, { now: new Date(now().getTime() - 5 * 3600_000), ttlSeconds: 10 * 3600 });
    expect(await reason(ancient)).toMatchObject({ reason: "TOKEN_EXPIRED", message: expect.stringContaining("MAX_TOKEN_AGE") });
  });

  it("an untrusted issuer", async () => {
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now(), iss: "https://evil.example.com" });
    expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("does not trust") });
  });

  it("alg none, and a key embedded in the header (jwk) or pointed to (jku), never verify", async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const iat = Math.floor(now().getTime() / 1000);
    const body = b64({ iss: a.issuer, aud: "claimgate-api", sub: "x", iat, exp: iat + 300, ...KEYCLOAK_CLAIMS });
    const none = `${b64({ alg: "none", typ: "at+jwt" })}.${body}.`;
    expect(await reason(none)).toMatchObject({ reason: "TOKEN_INVALID" });
    const attacker = await newRsaKey("attacker");
    for (const extra of [{ jwk: attacker.publicJwk }, { jku: `${b.issuer}/jwks` }]) {
      const token = await a.sign(KEYCLOAK_CLAIMS, { now: now(), key: attacker, header: extra });
      expect(await reason(token)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("not signed by a key its issuer publishes") });
    }
  });

  it("a flood of random kids costs the provider at most one fetch per cooldown", async () => {
    t.clock.advance(COOLDOWN + 1);
    const stranger = await newRsaKey();
    const before = a.jwksRequests;
    const tokens = await Promise.all(Array.from({ length: 50 }, () => a.sign(KEYCLOAK_CLAIMS, { now: now(), key: stranger, kid: randomUUID() })));
    const reasons = await Promise.all(tokens.map(reason));
    for (const refusal of reasons) expect(refusal).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(a.jwksRequests - before).toBe(1);
    const more = await Promise.all(Array.from({ length: 20 }, () => a.sign(KEYCLOAK_CLAIMS, { now: now(), key: stranger, kid: randomUUID() })));
    await Promise.all(more.map(reason));
    expect(a.jwksRequests - before).toBe(1);
    // After the cooldown, one more.
    t.clock.advance(COOLDOWN + 1);
    await Promise.all(more.map(reason));
    expect(a.jwksRequests - before).toBe(2);
    // A known kid keeps working throughout.
    expect(await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now() }))).toBeNull();
  });
});

describe("remote keys over time", () => {
  it("honours the JWKS Cache-Control max-age (120 s here): no fetch before, one background fetch after", async () => {
    t.clock.advance(COOLDOWN + 1);
    await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now(), kid: "unknown-to-force-a-fetch" }));
    const before = a.jwksRequests;
    t.clock.advance(100);
    expect(await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now() }))).toBeNull();
    expect(a.jwksRequests).toBe(before);
    t.clock.advance(30);
    expect(await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now() }))).toBeNull();
    // The refresh runs in the background: the token did not wait for it.
    await expect.poll(() => a.jwksRequests, { timeout: 5000 }).toBe(before + 1);
  });

  it("picks up a key the provider rotated in", async () => {
    t.clock.advance(COOLDOWN + 1);
    await a.rotate({ retire: true });
    const token = await a.sign(KEYCLOAK_CLAIMS, { now: now() });
    expect(await reason(token)).toBeNull();
  });

  it("keeps verifying with cached keys while the provider is down, and says why an unknown kid fails", async () => {
    const cached = a.keys.at(-1)!;
    a.down = true;
    try {
      // Past the cache lifetime (max 300 s): the set is stale, the refresh fails, the cached keys still verify.
      t.clock.advance(400);
      expect(await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now(), key: cached }))).toBeNull();
      t.clock.advance(COOLDOWN + 1);
      const rotatedWhileDown = await a.sign(KEYCLOAK_CLAIMS, { now: now(), key: await newRsaKey() });
      expect(await reason(rotatedWhileDown)).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("could not be refreshed") });
      expect(await reason(await a.sign(KEYCLOAK_CLAIMS, { now: now(), key: cached }))).toBeNull();
    } finally {
      a.down = false;
    }
  });
});

describe("a provider key that cannot be used", () => {
  it("a weak (1024-bit) or malformed key in the provider's set: a token naming it is refused (401), never a server error", async () => {
    const weak = await startOidcProvider({ path: "/realms/weak" });
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const keys = weak.keys as unknown as { kid: string; publicJwk: Record<string, unknown> }[];
    keys.push({ kid: "weak-1024", publicJwk: { ...publicKey.export({ format: "jwk" }), kid: "weak-1024", alg: "RS256", use: "sig" } });
    keys.push({ kid: "malformed", publicJwk: { kty: "RSA", kid: "malformed", alg: "RS256", use: "sig", n: "AQAB", e: "AQAB" } });
    const server = await startTestServer({ TRUSTED_ISSUERS: JSON.stringify([{ issuer: weak.issuer, audiences: ["x"] }]) });
    try {
      const at = Math.floor(server.clock().getTime() / 1000);
      const claims = { iss: weak.issuer, aud: "x", sub: "someone", iat: at, exp: at + 300 };
      for (const kid of ["weak-1024", "malformed"]) {
        const input = `${Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
        const token = `${input}.${cryptoSign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
        const { status, body } = await server.gql(POSTS, { token });
        expect(status).toBe(401);
        expect(body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
        expect(body.errors![0]!.message).toMatch(/not signed by a key its issuer publishes/);
      }
      // The provider's good key still works.
      const good = await weak.sign({}, { now: server.clock(), aud: "x", key: weak.keys[0]! });
      expect((await server.gql(VIEWER, { token: good })).body.data!["viewer"].authenticated).toBe(true);
    } finally {
      await server.stop();
      await weak.close();
    }
  });
});

describe("readiness and startup", () => {
  it("a provider that never answers costs a request at most JWKS_TIMEOUT", async () => {
    const stuck = await startOidcProvider({ path: "/realms/stuck" });
    stuck.hang = true;
    const server = await startTestServer({ TRUSTED_ISSUERS: JSON.stringify([{ issuer: stuck.issuer, audiences: ["x"] }]), JWKS_TIMEOUT: "1s" });
    try {
      const token = await stuck.sign({}, { now: server.clock(), aud: "x" });
      const started = Date.now();
      const { body } = await server.gql(VIEWER, { token });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(body.data!["viewer"].tokenError.message).toMatch(/could not be fetched \(the provider did not answer in time\)/);
    } finally {
      await server.stop();
      await stuck.close();
    }
  });

  it("/readyz names an issuer whose keys could never be loaded, and recovers when they load", async () => {
    const late = await startOidcProvider({ path: "/realms/late" });
    late.down = true;
    const server = await startTestServer({ TRUSTED_ISSUERS: JSON.stringify([{ issuer: late.issuer, audiences: ["x"] }]), JWKS_COOLDOWN: "1s" });
    try {
      const origin = new URL(server.url).origin;
      const first = await fetch(`${origin}/readyz`);
      expect(first.status).toBe(503);
      expect(((await first.json()) as { reason: string }).reason).toContain(late.issuer);
      const token = await late.sign({}, { now: server.clock(), aud: "x" });
      const refused = await server.gql(VIEWER, { token });
      expect(refused.body.data!["viewer"].tokenError.message).toContain("could not be fetched");
      late.down = false;
      server.clock.advance(2);
      expect((await fetch(`${origin}/readyz`)).status).toBe(200);
      expect((await server.gql(VIEWER, { token })).body.data!["viewer"].authenticated).toBe(true);
    } finally {
      await server.stop();
      await late.close();
    }
  });

  it("an unknown key in TRUSTED_ISSUERS stops startup naming the issuer", async () => {
    await expect(
      startTestServer({ TRUSTED_ISSUERS: JSON.stringify([{ issuer: "https://idp.example.com", audiences: ["x"], audience: "typo" }]) }),
    ).rejects.toThrow(/https:\/\/idp\.example\.com.*unknown key audience/);
  });
});

describe("linkUsers: local users for a provider's subjects", () => {
  let c: TestOidcProvider;
  let s: TestServer;
  beforeAll(async () => {
    c = await startOidcProvider({ path: "/realms/linked" });
    s = await startTestServer({
      TRUSTED_ISSUERS: JSON.stringify([
        { issuer: c.issuer, audiences: ["claimgate-api"], linkUsers: true, expandRoles: true, claims: { permissions: { from: "scope", split: " " }, roles: "realm_access.roles" } },
      ]),
      REVOCATION_SYNC_INTERVAL: "2s",
    });
  });
  afterAll(async () => {
    await s?.stop();
    await c?.close();
  });
  const SCOPES = { scope: "openid posts:read posts:write" };

  it("the first requests of a subject (50 at once) create exactly one local user; me, authorship and sub rules work", async () => {
    const token = await c.sign(SCOPES, { now: s.clock(), sub: "linked-1" });
    const answers = await Promise.all(Array.from({ length: 50 }, () => s.gql("{ me { id email } }", { token })));
    const ids = new Set(answers.map((answer) => answer.body.data?.["me"]?.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toEqual(expect.any(String));
    expect(answers[0]!.body.data!["me"].email).toBe(`external:${c.issuer}|linked-1`);

    const viewer = await s.gql("{ viewer { subject issuer claims } }", { token });
    expect(viewer.body.data!["viewer"]).toMatchObject({ subject: id, issuer: c.issuer, claims: expect.objectContaining({ idp_sub: "linked-1" }) });

    const draft = await s.gql(`mutation { createPost(input: { title: "linked", body: "draft", published: false }) { authorId } }`, { token });
    expect(draft.body.data).toEqual({ createPost: { authorId: id } });
    const drafts = await s.gql(`query ($id: ID!) { drafts(authorId: $id) { title } }`, { token, variables: { id } });
    expect(drafts.body.data).toEqual({ drafts: [{ title: "linked" }] });

    // A token of another subject is another user.
    const other = await s.gql("{ me { id } }", { token: await c.sign(SCOPES, { now: s.clock(), sub: "linked-2" }) });
    expect(other.body.data!["me"].id).not.toBe(id);
  });

  it("the link never grants claimgate's own login", async () => {
    const login = await s.gql(`mutation ($e: String!) { login(email: $e, password: "anything-at-all-1") { tokenType } }`, { variables: { e: `external:${c.issuer}|linked-1` } });
    expect(login.body.errors?.[0]?.extensions?.["code"]).toMatch(/UNAUTHENTICATED|BAD_USER_INPUT/);
  });

  it("expandRoles: a role the provider names grants what claimgate's role table says, and follows its changes", async () => {
    const token = await c.sign({ realm_access: { roles: ["writer", "unknown-here"] }, scope: "openid" }, { now: s.clock(), sub: "linked-writer" });
    const viewer = await s.gql("{ viewer { claims } }", { token });
    expect(viewer.body.data!["viewer"].claims).toMatchObject({ roles: ["writer", "unknown-here"], permissions: ["openid", "posts:read", "posts:write"] });
    const post = await s.gql(`mutation { createPost(input: { title: "from the provider", body: "by role" }) { id } }`, { token });
    expect(post.body.errors).toBeUndefined();

    const admin = (await s.login("alice@example.com", "alice-password-123")).accessToken;
    await s.gql(`mutation { updateRole(name: "writer", input: { permissions: ["posts:read"] }) { name } }`, { token: admin });
    // Each process reads the role table every REVOCATION_SYNC_INTERVAL (2 s here).
    const deadline = Date.now() + 10_000;
    let refused = await s.gql(`mutation { createPost(input: { title: "again", body: "?" }) { id } }`, { token });
    while (!refused.body.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      refused = await s.gql(`mutation { createPost(input: { title: "again", body: "?" }) { id } }`, { token });
    }
    expect(refused.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
  });

  it("a disabled, then deleted, linked user's provider tokens are refused", async () => {
    const token = await c.sign(SCOPES, { now: s.clock(), sub: "linked-3" });
    const id = (await s.gql("{ me { id } }", { token })).body.data!["me"].id;
    const admin = (await s.login("alice@example.com", "alice-password-123")).accessToken;
    await s.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }`, { token: admin, variables: { id } });
    s.clock.advance(3);
    const fresh = await c.sign(SCOPES, { now: s.clock(), sub: "linked-3" });
    const refused = await s.gql("{ viewer { tokenError { reason message } } }", { token: fresh });
    expect(refused.body.data!["viewer"].tokenError).toMatchObject({ reason: "TOKEN_INVALID", message: expect.stringContaining("disabled") });

    await s.gql(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { token: (await s.login("alice@example.com", "alice-password-123")).accessToken, variables: { id } });
    s.clock.advance(3);
    const after = await s.gql("{ viewer { tokenError { message } } }", { token: await c.sign(SCOPES, { now: s.clock(), sub: "linked-3" }) });
    expect(after.body.data!["viewer"].tokenError.message).toContain("deleted");
  });
});

// Disabling or deleting an account ends its sessions, and every process refuses their access
// tokens at once (pushed on PostgreSQL). A user linked to a trusted provider (linkUsers) has no
// session: ExternalUserLinks caches the account's state per subject. Disabling, deleting and
// re-enabling bump the account's claims version, which drops that entry in the process that made
// the change at once and, through PostgreSQL's notification (or SQLite's sync), in every other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import { onPostgres } from "../support/test-database.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const SET_DISABLED = `mutation ($id: ID!, $disabled: Boolean!) { setUserDisabled(userId: $id, disabled: $disabled) { id } }`;
const DELETE_USER = `mutation ($id: ID!) { deleteUser(userId: $id) }`;

const trustedIssuers = (provider: TestOidcProvider) =>
  JSON.stringify([{ issuer: provider.issuer, audiences: ["claimgate-api"], linkUsers: true, claims: { permissions: { from: "scope", split: " " } } }]);

describe("disabling a user linked to a trusted provider, in the process that does it", () => {
  let provider: TestOidcProvider;
  let t: TestServer;
  beforeAll(async () => {
    provider = await startOidcProvider({ path: "/realms/linked" });
    // A recheck interval the test never reaches (its clock stands still): only the notice can refuse.
    t = await startTestServer({ TRUSTED_ISSUERS: trustedIssuers(provider), REVOCATION_SYNC_INTERVAL: "2s" });
  });
  afterAll(async () => {
    await t?.stop();
    await provider?.close();
  });

  it("refuses the provider token as soon as the account is disabled, lets it in again as soon as it is re-enabled, and refuses it once deleted", async () => {
    const token = await provider.sign({ scope: "openid posts:read" }, { now: t.clock(), sub: "linked-disable" });
    const me = await t.gql("{ me { id } }", { token });
    const id = me.body.data!["me"].id as string;
    const admin = (await t.login(ALICE.email, ALICE.password)).accessToken;

    const disabled = await t.gql(SET_DISABLED, { token: admin, variables: { id, disabled: true } });
    expect(disabled.body.errors).toBeUndefined();
    const refused = await t.gql("{ me { id } }", { token });
    expect(refused.status).toBe(401);
    expect(refused.body.errors![0]!.message).toContain("disabled");

    const enabled = await t.gql(SET_DISABLED, { token: admin, variables: { id, disabled: false } });
    expect(enabled.body.errors).toBeUndefined();
    const back = await t.gql("{ me { id } }", { token });
    expect(back.status).toBe(200);
    expect(back.body.data!["me"].id).toBe(id);

    const deleted = await t.gql(DELETE_USER, { token: admin, variables: { id } });
    expect(deleted.body.errors).toBeUndefined();
    const gone = await t.gql("{ me { id } }", { token });
    expect(gone.status).toBe(401);
    expect(gone.body.errors![0]!.message).toContain("deleted");
  });

  it("leaves no stale account state behind when 50 requests race the disable", async () => {
    const token = await provider.sign({ scope: "openid posts:read" }, { now: t.clock(), sub: "linked-race", ttlSeconds: 3600 });
    const id = (await t.gql("{ me { id } }", { token })).body.data!["me"].id as string;
    const admin = (await t.login(ALICE.email, ALICE.password)).accessToken;
    for (let round = 0; round < 5; round++) {
      // Past the recheck interval: the racing requests read the account while it is being disabled.
      t.clock.advance(3);
      await Promise.all([
        ...Array.from({ length: 50 }, () => t.gql("{ me { id } }", { token })),
        t.gql(SET_DISABLED, { token: admin, variables: { id, disabled: true } }),
      ]);
      expect((await t.gql("{ me { id } }", { token })).status).toBe(401);
      await t.gql(SET_DISABLED, { token: admin, variables: { id, disabled: false } });
      expect((await t.gql("{ me { id } }", { token })).status).toBe(200);
    }
  });
});

describe("disabling a user linked to a trusted provider, seen by another server", () => {
  /**
   * Two servers on one database, each with its own caches and connections (in this process: what
   * they share goes through the database alone, as between processes; multi-process.test.ts and
   * three-processes.test.ts run real ones). On PostgreSQL the sync interval is far longer than the
   * bound: only the pushed notice can make the other server refuse in time. SQLite servers learn at
   * their next sync.
   */
  const SYNC = onPostgres ? "60s" : "1s";
  const REFUSED_WITHIN_MS = onPostgres ? 3000 : 1000 + 3000;
  let provider: TestOidcProvider;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    provider = await startOidcProvider({ path: "/realms/linked-processes" });
    const env = { REVOCATION_SYNC_INTERVAL: SYNC, TRUSTED_ISSUERS: trustedIssuers(provider) };
    a = await startTestServer(env);
    b = await startTestServer({ ...env, DATA_DIR: a.dataDir, JWT_SECRET: a.env["JWT_SECRET"]! });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await provider?.close();
  });

  it(`the other server refuses the provider token once the account is disabled, then accepts it again once re-enabled [${onPostgres ? "PostgreSQL: pushed" : "SQLite: next sync"}]`, async () => {
    const token = await provider.sign({ scope: "openid posts:read" }, { now: a.clock(), sub: "linked-two-processes", ttlSeconds: 600 });
    // Both servers cache the subject's account as fine.
    const id = (await a.gql("{ me { id } }", { token })).body.data!["me"].id as string;
    expect((await b.gql("{ me { id } }", { token })).status).toBe(200);
    const admin = (await a.login(ALICE.email, ALICE.password)).accessToken;

    const until = async (status: number): Promise<number> => {
      const since = Date.now();
      while (Date.now() - since < 10_000) {
        if ((await b.gql("{ me { id } }", { token })).status === status) return Date.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Infinity;
    };
    expect((await a.gql(SET_DISABLED, { token: admin, variables: { id, disabled: true } })).body.errors).toBeUndefined();
    expect(await until(401)).toBeLessThan(REFUSED_WITHIN_MS);
    expect((await a.gql(SET_DISABLED, { token: admin, variables: { id, disabled: false } })).body.errors).toBeUndefined();
    expect(await until(200)).toBeLessThan(REFUSED_WITHIN_MS);
  });
});

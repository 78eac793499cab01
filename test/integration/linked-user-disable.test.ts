// Disabling or deleting an account ends its sessions, and every process refuses their access
// tokens at once (pushed on PostgreSQL). A user linked to a trusted provider (linkUsers) has no
// session: ExternalUserLinks caches the account's state per subject. Disabling, deleting and
// re-enabling bump the account's claims version, which drops that entry in the process that made
// the change at once and, through PostgreSQL's notification (or SQLite's sync), in every other.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import { postGraphQL, type ServerProcess, startServerProcess } from "../support/server-process.js";
import { onPostgres, releaseDatabaseFor } from "../support/test-database.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const SET_DISABLED = `mutation ($id: ID!, $disabled: Boolean!) { setUserDisabled(userId: $id, disabled: $disabled) { id } }`;
const DELETE_USER = `mutation ($id: ID!) { deleteUser(userId: $id) }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;

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

describe("disabling a user linked to a trusted provider, seen by another process", () => {
  /**
   * On PostgreSQL the sync interval is far longer than the bound: only the pushed notice can make
   * the other process refuse in time. SQLite processes learn at their next sync.
   */
  const SYNC = onPostgres ? "60s" : "1s";
  const REFUSED_WITHIN_MS = onPostgres ? 3000 : 1000 + 3000;
  let provider: TestOidcProvider;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    provider = await startOidcProvider({ path: "/realms/linked-processes" });
    dataDir = await mkdtemp(join(tmpdir(), "claimgate-linked-"));
    const env = {
      DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(48).toString("base64url"),
      REVOCATION_SYNC_INTERVAL: SYNC,
      SEED_DEMO_USERS: "true",
      TRUSTED_ISSUERS: trustedIssuers(provider),
    };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await provider?.close();
    if (dataDir) {
      await releaseDatabaseFor(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it(`the other process refuses the provider token once the account is disabled, then accepts it again once re-enabled [${onPostgres ? "PostgreSQL: pushed" : "SQLite: next sync"}]`, async () => {
    const token = await provider.sign({ scope: "openid posts:read" }, { now: new Date(), sub: "linked-two-processes", ttlSeconds: 600 });
    // Both processes cache the subject's account as fine.
    const id = (await postGraphQL(a.url, "{ me { id } }", { token })).body.data!["me"].id as string;
    expect((await postGraphQL(b.url, "{ me { id } }", { token })).status).toBe(200);
    const admin = (await postGraphQL(a.url, LOGIN, { variables: { e: ALICE.email, p: ALICE.password } })).body.data!["login"].accessToken as string;

    const until = async (status: number): Promise<number> => {
      const since = Date.now();
      while (Date.now() - since < 10_000) {
        if ((await postGraphQL(b.url, "{ me { id } }", { token })).status === status) return Date.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Infinity;
    };
    expect((await postGraphQL(a.url, SET_DISABLED, { token: admin, variables: { id, disabled: true } })).body.errors).toBeUndefined();
    expect(await until(401)).toBeLessThan(REFUSED_WITHIN_MS);
    expect((await postGraphQL(a.url, SET_DISABLED, { token: admin, variables: { id, disabled: false } })).body.errors).toBeUndefined();
    expect(await until(200)).toBeLessThan(REFUSED_WITHIN_MS);
  }, 60_000);
});

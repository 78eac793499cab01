// Review (issue 14): disabling or deleting an account ends its sessions, and every process refuses
// their access tokens at once (pushed on PostgreSQL). A user linked to a trusted provider
// (linkUsers) has no session: ExternalUserLinks caches "this subject's account is fine" for
// REVOCATION_SYNC_INTERVAL, is told of no disable or delete (not even in the process that made
// it), and no notification carries disabledAt/deletedAt (the User trigger fires on claimsVersion
// only). So the provider token of a just-disabled account keeps working everywhere until each
// process's entry ages out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestOidcProvider } from "../support/oidc-provider.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

describe("review: disabling a user linked to a trusted provider", () => {
  let provider: TestOidcProvider;
  let t: TestServer;
  beforeAll(async () => {
    provider = await startOidcProvider({ path: "/realms/review" });
    t = await startTestServer({
      TRUSTED_ISSUERS: JSON.stringify([{ issuer: provider.issuer, audiences: ["claimgate-api"], linkUsers: true, claims: { permissions: { from: "scope", split: " " } } }]),
      REVOCATION_SYNC_INTERVAL: "2s",
    });
  });
  afterAll(async () => {
    await t?.stop();
    await provider?.close();
  });

  it("refuses the linked user's provider token as soon as the account is disabled, like a local user's access token", async () => {
    const token = await provider.sign({ scope: "openid posts:read" }, { now: t.clock(), sub: "review-linked" });
    const me = await t.gql("{ me { id } }", { token });
    const id = me.body.data!["me"].id as string;
    const admin = await t.login(ALICE.email, ALICE.password);
    const disabled = await t.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }`, { token: admin.accessToken, variables: { id } });
    expect(disabled.status).toBe(200);

    // No time passes (the test clock stands still): a local access token would be refused now.
    const after = await t.gql("{ me { id } }", { token });
    expect(after.status).toBe(401);
  });
});

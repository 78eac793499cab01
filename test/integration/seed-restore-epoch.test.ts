// Issue 14, found in review: "bumps credentialEpoch without ending sessions". When a process starts with
// SEED_DEMO_USERS and finds a demo account's password changed, seedDemoData puts the documented
// password back and bumps credentialEpoch ("a new password ends what the old one started"), but
// ends no session: the epoch is only compared by a login in flight, so sessions started with the
// other password live on, and refresh (which does not look at the epoch) keeps them going.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`;

describe("the demo seed restoring a changed password", () => {
  let first: TestServer;
  let second: TestServer | undefined;
  beforeAll(async () => {
    first = await startTestServer();
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it("ends the sessions started with the password it replaces", async () => {
    const before = await first.login(BOB.email, BOB.password);
    const changed = await first.gql(`mutation { changePassword(currentPassword: "${BOB.password}", newPassword: "bob-new-password-456") }`, { token: before.accessToken });
    expect(changed.status).toBe(200);
    // A session started with the password the seed will replace.
    const bob = await first.login(BOB.email, "bob-new-password-456");

    // Another process starts on the same database (a deploy, a restart) and restores the demo password.
    second = await startTestServer({ DATA_DIR: first.dataDir, JWT_SECRET: first.env["JWT_SECRET"]! });
    await second.login(BOB.email, BOB.password); // the documented password is back
    const refreshed = await second.gql(REFRESH, { variables: { r: bob.refreshToken } });
    expect(refreshed.body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

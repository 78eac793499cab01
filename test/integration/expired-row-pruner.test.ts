// Deleting what can no longer matter: against the real server's database, rows on both sides of
// every line, in small batches; and the server keeps working with what stays.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExpiredRowPruner } from "../../src/auth/expired-row-pruner.js";
import type { Database } from "../../src/db/database.js";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const RETENTION = 16 * MINUTE;
let server: TestServer;
let db: Database;
let userId: string;

beforeAll(async () => {
  server = await startTestServer();
  db = server.server.services.db;
  userId = (await db.user.findFirstOrThrow({ where: { email: BOB.email } })).id;
});
afterAll(async () => {
  await server?.stop();
  await rm(server.dataDir, { recursive: true, force: true });
});

const ago = (ms: number) => new Date(server.clock().getTime() - ms);

async function session(expiresAt: Date, revokedAt?: Date): Promise<string> {
  const { id } = await db.session.create({ data: { userId, expiresAt, ...(revokedAt ? { revokedAt } : {}) } });
  await db.refreshToken.create({ data: { sessionId: id, tokenHash: randomUUID(), generation: 0, expiresAt } });
  return id;
}

async function emailToken(expiresAt: Date): Promise<string> {
  return (await db.emailToken.create({ data: { userId, purpose: "reset_password", tokenHash: randomUUID(), expiresAt } })).id;
}

async function counter(windowStart: Date, lockedUntil?: Date): Promise<string> {
  const key = `ip:test-${randomUUID()}`;
  await db.loginThrottle.create({ data: { key, failures: 3, windowStart, ...(lockedUntil ? { lockedUntil } : {}) } });
  return key;
}

describe("ExpiredRowPruner", () => {
  it("deletes, in batches, exactly the rows that can no longer change an answer", async () => {
    const gone = {
      sessions: await Promise.all([session(ago(8 * DAY)), session(ago(8 * DAY)), session(ago(9 * DAY), ago(8 * DAY)), session(ago(30 * DAY))]),
      emailTokens: await Promise.all([emailToken(ago(8 * DAY)), emailToken(ago(8 * DAY)), emailToken(ago(20 * DAY))]),
      counters: await Promise.all([counter(ago(2 * DAY)), counter(ago(2 * DAY), ago(DAY)), counter(ago(62 * MINUTE))]),
    };
    const kept = {
      sessions: await Promise.all([
        session(ago(6 * DAY)), // expired recently enough that a returning client is told "expired"
        session(new Date(server.clock().getTime() + DAY)), // live
        session(ago(8 * DAY), ago(5 * MINUTE)), // ended within the revocation window: processes may still be reading it
      ]),
      emailTokens: await Promise.all([emailToken(ago(6 * DAY)), emailToken(new Date(server.clock().getTime() + DAY))]),
      counters: await Promise.all([counter(ago(30 * MINUTE)), counter(ago(2 * DAY), new Date(server.clock().getTime() + MINUTE))]),
    };
    const pruner = new ExpiredRowPruner({ db, clock: server.clock, retentionMs: RETENTION, throttleWindowMs: 60 * MINUTE, batchSize: 2 });
    const counts = await pruner.pruneOnce();
    expect(counts).toEqual({ sessions: 4, emailTokens: 3, attemptCounters: 3 });

    const sessionIds = new Set((await db.session.findMany({ select: { id: true } })).map((row) => row.id));
    for (const id of gone.sessions) expect(sessionIds.has(id)).toBe(false);
    for (const id of kept.sessions) expect(sessionIds.has(id)).toBe(true);
    // Their refresh tokens went with them.
    expect(await db.refreshToken.count({ where: { sessionId: { in: gone.sessions } } })).toBe(0);
    expect(await db.refreshToken.count({ where: { sessionId: { in: kept.sessions } } })).toBe(3);
    const linkIds = new Set((await db.emailToken.findMany({ select: { id: true } })).map((row) => row.id));
    for (const id of gone.emailTokens) expect(linkIds.has(id)).toBe(false);
    for (const id of kept.emailTokens) expect(linkIds.has(id)).toBe(true);
    const keys = new Set((await db.loginThrottle.findMany({ select: { key: true } })).map((row) => row.key));
    for (const key of gone.counters) expect(keys.has(key)).toBe(false);
    for (const key of kept.counters) expect(keys.has(key)).toBe(true);

    // Nothing left to do: a second run deletes nothing.
    expect(await pruner.pruneOnce()).toEqual({ sessions: 0, emailTokens: 0, attemptCounters: 0 });
  });

  it("stops at the per-run bound and goes on at the next run; concurrent runs share one", async () => {
    const old = await Promise.all(Array.from({ length: 7 }, () => session(ago(10 * DAY))));
    const pruner = new ExpiredRowPruner({ db, clock: server.clock, retentionMs: RETENTION, throttleWindowMs: 60 * MINUTE, batchSize: 2, maxRowsPerRun: 4 });
    const [first, same] = [pruner.pruneOnce(), pruner.pruneOnce()];
    expect(same).toBe(first);
    expect((await first).sessions).toBe(4);
    expect((await pruner.pruneOnce()).sessions).toBe(3);
    expect(await db.session.count({ where: { id: { in: old } } })).toBe(0);
  });

  it("the server keeps logging in, refreshing and refusing ended sessions after a run", async () => {
    const login = await server.login(BOB.email, BOB.password);
    const logout = await server.gql(`mutation ($r: String!) { logout(refreshToken: $r) }`, { variables: { r: login.refreshToken } });
    expect(logout.body.data).toEqual({ logout: true });
    await server.server.pruner.pruneOnce();
    expect((await server.gql("{ me { email } }", { token: login.accessToken })).body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
    const again = await server.login(BOB.email, BOB.password);
    const refreshed = await server.gql(`mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`, { variables: { r: again.refreshToken } });
    expect(refreshed.body.data?.["refresh"]?.accessToken).toEqual(expect.any(String));
  });
});

// The in-memory set of ended sessions against a real database: paged full syncs, coalesced
// concurrent syncs, expiry and claim-version floors.
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RevokedSessions } from "../../src/auth/revoked-sessions.js";
import type { Database } from "../../src/db/database.js";
import { createTestClock } from "../support/test-clock.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const RETENTION_MS = 20 * 60_000;
let server: TestServer;
let db: Database;
let userId: string;

beforeAll(async () => {
  server = await startTestServer();
  db = server.server.services.db;
  userId = (await db.user.findFirstOrThrow({ where: { email: "bob@example.com" } })).id;
});
afterAll(async () => {
  await server?.stop();
  await rm(server.dataDir, { recursive: true, force: true });
});

/** Sessions of Bob, revoked at the given times (undefined: still live). Returns their ids. */
async function sessions(revokedAt: (Date | undefined)[], ids: string[] = revokedAt.map(() => randomUUID())): Promise<string[]> {
  await db.session.createMany({
    data: revokedAt.map((at, i) => ({ id: ids[i]!, userId, expiresAt: new Date(Date.now() + 86_400_000), ...(at ? { revokedAt: at } : {}) })),
  });
  return ids;
}

/** Counts the reads a RevokedSessions makes, on the real client. */
/** Counts session reads; each read's rows are handed back only once `gate()` resolves, so a test can hold one under way. */
function countingReads(database: Database, gate: () => Promise<void> = async () => {}): { db: Database; reads: () => number } {
  let reads = 0;
  const session = new Proxy(database.session, {
    get: (target, key) =>
      key === "findMany"
        ? (...args: Parameters<typeof target.findMany>) => (reads++, target.findMany(...args).then(async (rows) => (await gate(), rows)))
        : Reflect.get(target, key),
  });
  return { db: new Proxy(database, { get: (target, key) => (key === "session" ? session : Reflect.get(target, key)) }), reads: () => reads };
}

describe("RevokedSessions", () => {
  it("a full sync pages through every revocation within the retention window, ties on the time included", async () => {
    const clock = createTestClock();
    const now = clock().getTime();
    const sameInstant = new Date(now - 60_000);
    // 23 revoked at one instant (ordered within it by id), 9 spread out, 5 too old to matter,
    // 4 live, and 2 ids that are not UUIDs.
    const tied = await sessions(Array.from({ length: 23 }, () => sameInstant));
    const spread = await sessions(Array.from({ length: 9 }, (_, i) => new Date(now - i * 1000)));
    const old = await sessions(Array.from({ length: 5 }, () => new Date(now - RETENTION_MS - 1000)));
    const live = await sessions([undefined, undefined, undefined, undefined]);
    const handMade = await sessions([new Date(now), new Date(now)], [`hand-made-${randomUUID()}`, randomUUID().toUpperCase()]);
    const { db: counted, reads } = countingReads(db);
    const revoked = new RevokedSessions({ db: counted, syncIntervalMs: 60_000, retentionMs: RETENTION_MS, clock, pageSize: 5 });
    const told: string[] = [];
    revoked.listen({ sessionsRevoked: (ids) => told.push(...ids) });
    await revoked.sync({ full: true });
    for (const id of [...tied, ...spread, ...handMade]) expect(revoked.has(id)).toBe(true);
    for (const id of [...old, ...live]) expect(revoked.has(id)).toBe(false);
    expect(new Set(told)).toEqual(new Set([...tied, ...spread, ...handMade]));
    expect(told.length).toBeGreaterThanOrEqual(34);
    expect(reads()).toBeGreaterThanOrEqual(7); // 34 rows or more in pages of 5

    // Once the retention window has passed, the next sync forgets them.
    clock.advance(RETENTION_MS / 1000 + 60);
    await revoked.sync();
    for (const id of [...tied, ...spread, ...handMade]) expect(revoked.has(id)).toBe(false);
  });

  it("50 concurrent syncs share one read and one follow-up, and the follow-up sees what was committed during the first", async () => {
    const clock = createTestClock();
    // The first sync's read is held (its rows read, not yet handed back) until the other 49 have
    // been asked for, whatever the load.
    let release!: () => void;
    let held: Promise<void> | null = null;
    const { db: counted, reads } = countingReads(db, () => held ?? Promise.resolve());
    const revoked = new RevokedSessions({ db: counted, syncIntervalMs: 60_000, retentionMs: RETENTION_MS, clock });
    await revoked.sync({ full: true });
    const before = reads();
    held = new Promise<void>((resolve) => (release = resolve));
    const first = revoked.sync();
    // Committed while the first read is under way: only a sync that starts after it can see it.
    const [late] = await sessions([clock()]);
    const rest = Array.from({ length: 49 }, () => revoked.sync());
    held = null;
    release();
    await Promise.all([first, ...rest]);
    expect(reads() - before).toBe(2);
    expect(revoked.has(late!)).toBe(true);
    expect(new Set(rest).size).toBe(1);
  });

  it("a sync that fails rejects its callers and leaves the next one working", async () => {
    const clock = createTestClock();
    let fail = true;
    const flaky = new Proxy(db, {
      get: (target, key) =>
        key === "session" && fail ? { findMany: () => Promise.reject(new Error("database unreachable")) } : Reflect.get(target, key),
    });
    const revoked = new RevokedSessions({ db: flaky, syncIntervalMs: 60_000, retentionMs: RETENTION_MS, clock });
    const [id] = await sessions([clock()]);
    await expect(Promise.all([revoked.sync(), revoked.sync()])).rejects.toThrow("database unreachable");
    fail = false;
    await revoked.sync();
    expect(revoked.has(id!)).toBe(true);
  });

  it("keeps each user's claims-version floor, raised only upwards, from this process and from the database", async () => {
    const clock = createTestClock();
    const revoked = new RevokedSessions({ db, syncIntervalMs: 60_000, retentionMs: RETENTION_MS, clock });
    const told: [string, number][] = [];
    revoked.listen({ claimsChanged: (user, version) => told.push([user, version]) });
    revoked.noteClaimsChanged(userId, 3);
    revoked.noteClaimsChanged(userId, 2);
    expect(revoked.claimsVersionOf(userId)).toBe(3);
    await db.user.update({ where: { id: userId }, data: { claimsVersion: 5, claimsChangedAt: clock() } });
    await revoked.sync();
    expect(revoked.claimsVersionOf(userId)).toBe(5);
    expect(told).toEqual([
      [userId, 3],
      [userId, 5],
    ]);
    expect(revoked.claimsChangedCount).toBe(1);
    clock.advance(RETENTION_MS / 1000 + 60);
    await revoked.sync();
    expect(revoked.claimsVersionOf(userId)).toBeUndefined();
  });
});

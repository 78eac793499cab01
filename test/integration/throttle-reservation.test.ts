// Attempt counters in the database (src/db/throttle-reservation.ts), on SQLite (a transaction of
// compare-and-sets deciding with the pure rules of attempt-state.ts) and on PostgreSQL (one
// statement applying the same rules in SQL, postgres-throttle-reservation.ts): the two give the
// same answers state by state (checks in flight included: a lock standing only on them is refused
// as busy), all or none over several counters, the account is read in the same step, a counter's
// limit holds under 50 concurrent reservations, 50 concurrent session starts give their
// reservations back, and settling a failed check turns a busy refusal into the lock.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptCounter, type CounterSlot } from "../../src/auth/attempt-counter.js";
import { type AttemptPolicy, type AttemptState, reserveAttempt } from "../../src/auth/attempt-state.js";
import { LoginThrottle } from "../../src/auth/login-throttle.js";
import { DomainError } from "../../src/domain/domain-error.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrations.js";
import { startSession } from "../../src/db/session-start.js";
import { MIGRATIONS_DIR } from "../../src/project-root.js";
import { createPostgresDatabase, dropPostgresDatabase, onPostgres, postgresUrlFor } from "../support/test-database.js";

let db: Database;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  if (onPostgres) {
    const name = await createPostgresDatabase({ migrated: true });
    db = openDatabase({ databaseUrl: postgresUrlFor(name) });
    cleanup = () => dropPostgresDatabase(name);
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), "claimgate-throttle-"));
    const databaseUrl = `file:${join(dataDir, "throttle.db")}`;
    await applyMigrations({ databaseUrl, migrationsDir: MIGRATIONS_DIR });
    db = openDatabase({ databaseUrl });
    cleanup = () => rm(dataDir, { recursive: true, force: true });
  }
});
afterAll(async () => {
  await db?.$disconnect();
  await cleanup?.();
});

const login: AttemptPolicy = { limit: 3, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 900, tracksInFlight: true };
const single: AttemptPolicy = { limit: 1, windowSeconds: 60, lockSeconds: 60, maxLockSeconds: 60, tracksInFlight: true };
/** A counter whose reservations are used up at once (registrations per IP, mails per address). */
const action: AttemptPolicy = { limit: 3, windowSeconds: 900, lockSeconds: 900, maxLockSeconds: 900, tracksInFlight: false };
const now = new Date("2026-05-06T07:08:09.123Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const ahead = (seconds: number) => new Date(now.getTime() + seconds * 1000);
let keys = 0;
const freshKey = (prefix: string) => `${prefix}:${onPostgres ? "pg" : "sqlite"}:${++keys}`;

async function put(key: string, state: AttemptState): Promise<void> {
  await db.loginThrottle.create({ data: { key, ...state } });
}
/** A session start for `user` at `now`, an hour long, with a fresh refresh-token hash. */
const startFor = (user: { id: string }, options: { sessionId: string; credentialEpoch: number; releasing: { key: string; limit: number }[] }) =>
  startSession(db, { ...options, userId: user.id, userAgent: null, ip: null, now, expiresAt: ahead(3600), tokenHash: crypto.randomUUID() });
const read = (key: string) => db.loginThrottle.findUnique({ where: { key }, select: { failures: true, inFlight: true, windowStart: true, lockedUntil: true } });

const cases: [string, AttemptPolicy, AttemptState | null][] = [
  ["no counter yet", login, null],
  ["no counter yet, limit 1: the first reservation locks", single, null],
  ["within the window, below the limit", login, { failures: 1, inFlight: 0, windowStart: ago(100), lockedUntil: null }],
  ["the reservation that reaches the limit locks", login, { failures: 2, inFlight: 0, windowStart: ago(100), lockedUntil: null }],
  ["the window has run out: a fresh count", login, { failures: 2, inFlight: 0, windowStart: ago(900), lockedUntil: null }],
  ["locked", login, { failures: 3, inFlight: 0, windowStart: ago(10), lockedUntil: ahead(20.5) }],
  ["the lock has run out within the window: locked again, twice as long", login, { failures: 3, inFlight: 0, windowStart: ago(100), lockedUntil: ago(1) }],
  ["many locks later: capped at the maximum", login, { failures: 12, inFlight: 0, windowStart: ago(100), lockedUntil: now }],
  ["a counter given back to zero", login, { failures: 0, inFlight: 0, windowStart: ago(100), lockedUntil: null }],
  ["locked, window long gone, lock just run out: a fresh count", single, { failures: 5, inFlight: 0, windowStart: ago(3600), lockedUntil: ago(0.001) }],
  ["checks in flight below the limit: one more in flight", login, { failures: 2, inFlight: 1, windowStart: ago(100), lockedUntil: null }],
  ["locked only by checks in flight: busy", login, { failures: 3, inFlight: 1, windowStart: ago(10), lockedUntil: ahead(20.5) }],
  ["locked by all three checks still in flight: busy", login, { failures: 3, inFlight: 3, windowStart: ago(10), lockedUntil: ahead(29) }],
  ["locked by failures, a check in flight besides: the lock", login, { failures: 4, inFlight: 1, windowStart: ago(100), lockedUntil: ahead(50) }],
  ["a doubled lock from a check in flight after a run-out lock: the lock", login, { failures: 4, inFlight: 1, windowStart: ago(100), lockedUntil: ahead(59) }],
  ["the lock has run out with checks in flight: counted in, locked again", login, { failures: 3, inFlight: 2, windowStart: ago(100), lockedUntil: ago(1) }],
  ["a window run out with checks left in flight (a crashed process): forgotten", login, { failures: 2, inFlight: 2, windowStart: ago(900), lockedUntil: null }],
  ["a counter that tracks no checks: nothing in flight", action, null],
  ["a counter that tracks no checks, reaching its limit", action, { failures: 2, inFlight: 0, windowStart: ago(10), lockedUntil: null }],
  ["a counter that tracks no checks is never busy", action, { failures: 3, inFlight: 2, windowStart: ago(10), lockedUntil: ahead(100) }],
];

describe(`attempt counters on ${onPostgres ? "PostgreSQL (one statement)" : "SQLite (compare-and-set transaction)"}`, () => {
  it.each(cases)("give the answers of attempt-state.ts: %s", async (_name, policy, state) => {
    const key = freshKey("rules");
    if (state) await put(key, state);
    const expected = reserveAttempt(state, policy, now);
    const answer = await new AttemptCounter(db).reserve([{ key, policy }], now);
    if (expected.granted) {
      // The window it was counted in, which ending it (release, settle) keeps to.
      expect(answer).toEqual({ granted: true, windowStarts: [expected.next.windowStart] });
      expect(await read(key)).toEqual(expected.next);
    } else {
      expect(answer).toEqual({ granted: false, retryAfterSeconds: expected.retryAfterSeconds, busy: expected.busy });
      expect(await read(key)).toEqual(state);
    }
  });

  it("all or none: a locked counter among three leaves the other two as they were", async () => {
    const [a, b, c] = [freshKey("ip"), freshKey("pair"), freshKey("account")];
    await put(a, { failures: 1, inFlight: 0, windowStart: ago(50), lockedUntil: null });
    await put(b, { failures: 3, inFlight: 0, windowStart: ago(50), lockedUntil: ahead(40) });
    const slots: CounterSlot[] = [a, b, c].map((key) => ({ key, policy: login }));
    expect(await new AttemptCounter(db).reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 40, busy: false });
    expect(await read(a)).toEqual({ failures: 1, inFlight: 0, windowStart: ago(50), lockedUntil: null });
    expect(await read(c)).toBeNull();
  });

  it("a login's first step reserves and reads the account in one go: the same user as Prisma reads, or none", async () => {
    const email = `${freshKey("user")}@example.com`;
    const created = await db.user.create({ data: { email, passwordHash: "$argon2id$x", claims: '{"a":1}', emailVerifiedAt: now } });
    const counter = new AttemptCounter(db);
    const key = freshKey("account");
    expect(await counter.reserveFindingUser([{ key, policy: login }], now, email)).toEqual({ reservation: { granted: true, windowStarts: [now] }, user: created });
    expect(await counter.reserveFindingUser([{ key: freshKey("account"), policy: login }], now, `nobody-${email}`)).toEqual({
      reservation: { granted: true, windowStarts: [now] },
      user: null,
    });
    await db.loginThrottle.update({ where: { key }, data: { lockedUntil: ahead(9) } });
    await db.loginThrottle.update({ where: { key }, data: { failures: 3, inFlight: 0 } });
    expect(await counter.reserveFindingUser([{ key, policy: login }], now, email)).toEqual({ reservation: { granted: false, retryAfterSeconds: 9, busy: false }, user: created });
  });

  it("50 concurrent reservations on a counter with limit 5 grant exactly 5", async () => {
    const shared = freshKey("account");
    const policy: AttemptPolicy = { limit: 5, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 900, tracksInFlight: true };
    const counter = new AttemptCounter(db);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => counter.reserve([{ key: freshKey("ip"), policy: login }, { key: shared, policy }, { key: `${shared}|${i}`, policy }], now)),
    );
    expect(answers.filter((answer) => answer.granted)).toHaveLength(5);
    // The other 45 were refused while the 5 checks were (still) in flight: busy, not locked.
    expect(answers.filter((answer) => !answer.granted)).toEqual(Array(45).fill({ granted: false, retryAfterSeconds: 1, busy: true }));
    expect(await read(shared)).toMatchObject({ failures: 5, inFlight: 5 });
  });

  it("50 concurrent logins on shared counters: every session starts and gives its reservation back", async () => {
    const user = await db.user.create({ data: { email: `${freshKey("user")}@example.com`, passwordHash: "!", claims: "{}" } });
    const [ip, account] = [freshKey("ip"), freshKey("account")];
    const slots: CounterSlot[] = [
      { key: ip, policy: { ...login, limit: 1000 } },
      { key: `pair:${account}`, policy: { ...login, limit: 1000 } },
      { key: account, policy: { ...login, limit: 1000 } },
    ];
    const counter = new AttemptCounter(db);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const reserved = await counter.reserve(slots, now);
        if (!reserved.granted) return "refused";
        const start = await startFor(user, {
          sessionId: crypto.randomUUID(),
          credentialEpoch: user.credentialEpoch,
          releasing: slots.map((slot) => ({ key: slot.key, limit: slot.policy.limit })),
        });
        return start.started ? "started" : "refused";
      }),
    );
    expect(outcomes).toEqual(Array(50).fill("started"));
    for (const slot of slots) expect(await read(slot.key)).toMatchObject({ failures: 0, inFlight: 0, lockedUntil: null });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(50);
    expect(await db.refreshToken.count({ where: { session: { userId: user.id } } })).toBe(50);
  });

  it("a session start with a stale epoch inserts nothing, and still gives the reservation back", async () => {
    const user = await db.user.create({ data: { email: `${freshKey("user")}@example.com`, passwordHash: "!", claims: "{}" } });
    const key = freshKey("account");
    await put(key, { failures: 3, inFlight: 1, windowStart: ago(10), lockedUntil: ahead(30) });
    const sessionId = crypto.randomUUID();
    const start = await startFor(user, { sessionId, credentialEpoch: user.credentialEpoch - 1, releasing: [{ key, limit: 3 }] });
    expect(start).toEqual({ started: false, state: { credentialEpoch: user.credentialEpoch, disabledAt: null, deletedAt: null } });
    expect(await db.session.findUnique({ where: { id: sessionId } })).toBeNull();
    expect(await read(key)).toEqual({ failures: 2, inFlight: 0, windowStart: ago(10), lockedUntil: null });
  });

  it("of several locked counters the refusal names a lock for failures before one that is only busy", async () => {
    const [ip, pair, account] = [freshKey("ip"), freshKey("pair"), freshKey("account")];
    await put(ip, { failures: 3, inFlight: 2, windowStart: ago(10), lockedUntil: ahead(25) });
    await put(account, { failures: 3, inFlight: 0, windowStart: ago(10), lockedUntil: ahead(25) });
    const counter = new AttemptCounter(db);
    const slots: CounterSlot[] = [ip, pair, account].map((key) => ({ key, policy: login }));
    expect(await counter.reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 25, busy: false });
    await db.loginThrottle.update({ where: { key: account }, data: { inFlight: 1 } });
    expect(await counter.reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 1, busy: true });
    expect(await read(pair)).toBeNull();
  });

  it("settled checks (wrong passwords) turn busy into the lock; given back (right ones), the lock is lifted", async () => {
    const counter = new AttemptCounter(db);
    const slots: CounterSlot[] = [{ key: freshKey("ip"), policy: { ...login, limit: 50 } }, { key: freshKey("account"), policy: login }];
    for (let i = 0; i < 3; i++) expect(await counter.reserve(slots, now)).toMatchObject({ granted: true });
    expect(await read(slots[1]!.key)).toEqual({ failures: 3, inFlight: 3, windowStart: now, lockedUntil: ahead(30) });
    expect(await counter.reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 1, busy: true });
    // One right password: given back, below the limit, unlocked.
    await counter.release(slots);
    expect(await read(slots[1]!.key)).toEqual({ failures: 2, inFlight: 2, windowStart: now, lockedUntil: null });
    expect(await counter.reserve(slots, now)).toMatchObject({ granted: true });
    // Three wrong ones: each settled; the lock stands on failures once the last check is over.
    await counter.settle(slots);
    await counter.settle(slots);
    expect(await counter.reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 1, busy: true });
    await counter.settle(slots);
    expect(await read(slots[1]!.key)).toEqual({ failures: 3, inFlight: 0, windowStart: now, lockedUntil: ahead(30) });
    expect(await read(slots[0]!.key)).toMatchObject({ failures: 3, inFlight: 0, lockedUntil: null });
    expect(await counter.reserve(slots, now)).toEqual({ granted: false, retryAfterSeconds: 30, busy: false });
    // Settling more than was reserved changes nothing (a window started afresh, a double settle).
    await counter.settle(slots);
    expect(await read(slots[1]!.key)).toEqual({ failures: 3, inFlight: 0, windowStart: now, lockedUntil: ahead(30) });
  });

  it("30 concurrent right passwords on limit 5: each reservation granted or busy, and all given back", async () => {
    const user = await db.user.create({ data: { email: `${freshKey("user")}@example.com`, passwordHash: "!", claims: "{}" } });
    const policy: AttemptPolicy = { ...login, limit: 5 };
    const slots: CounterSlot[] = [{ key: freshKey("ip"), policy: { ...login, limit: 50 } }, { key: freshKey("pair"), policy }, { key: freshKey("account"), policy }];
    const counter = new AttemptCounter(db);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const reserved = await counter.reserve(slots, now);
        if (!reserved.granted) return reserved;
        const start = await startFor(user, {
          sessionId: crypto.randomUUID(),
          credentialEpoch: user.credentialEpoch,
          releasing: slots.map((slot) => ({ key: slot.key, limit: slot.policy.limit })),
        });
        return start.started ? "started" : "refused";
      }),
    );
    expect(outcomes.filter((outcome) => outcome === "started").length).toBeGreaterThanOrEqual(5);
    for (const outcome of outcomes) if (outcome !== "started") expect(outcome).toEqual({ granted: false, retryAfterSeconds: 1, busy: true });
    for (const slot of slots) expect(await read(slot.key)).toMatchObject({ failures: 0, inFlight: 0, lockedUntil: null });
    expect(await counter.reserve(slots, now)).toMatchObject({ granted: true });
  });

  // A check still running when its counter's window runs out and a guess starts a new one (or an
  // administrator clears it and it is counted afresh): ending it late must not touch the new
  // window's counts, else a right password late given back forgets the new window's guess (one more
  // check than the limit) and a late settle makes the new window's check in flight look failed.
  describe("a reservation ended after its window was started afresh", () => {
    const policy = { accountFailures: 1, ipFailures: 50, pairFailures: 1, windowSeconds: 60, lockSeconds: 60, maxLockSeconds: 60 };
    const refusalOf = (throttle: LoginThrottle, email: string) =>
      throttle.reserve({ email, ip: null }).then(
        () => "granted",
        (error: unknown) => (error instanceof DomainError ? `${error.reason} ${String(error.details["retryAfter"])}` : error),
      );
    function setUp() {
      let at = now;
      const throttle = new LoginThrottle({ db, policy, clock: () => at });
      return { throttle, email: `${freshKey("late")}@example.com`, moveTo: (to: Date) => (at = to) };
    }

    it.each([
      { end: "release", when: "given back late (a right password)" },
      { end: "settle", when: "settled late (a wrong password)" },
    ] as const)("$when: the new window's check stays counted and in flight (busy), then its lock stands", async ({ end }) => {
      const { throttle, email, moveTo } = setUp();
      const stale = await throttle.reserve({ email, ip: null });
      moveTo(ahead(61));
      const fresh = await throttle.reserve({ email, ip: null });
      await stale[end]();
      moveTo(ahead(62));
      expect(await refusalOf(throttle, email)).toBe("LOGIN_BUSY 1");
      await fresh.settle();
      expect(await refusalOf(throttle, email)).toBe("LOGIN_THROTTLED 59");
    });

    it("cleared by an administrator and counted afresh: the old reservation ends without touching the new count", async () => {
      const { throttle, email, moveTo } = setUp();
      const stale = await throttle.reserve({ email, ip: null });
      expect(await throttle.unlock(email)).toBe(1);
      moveTo(ahead(1));
      const fresh = await throttle.reserve({ email, ip: null });
      await stale.release();
      expect(await refusalOf(throttle, email)).toBe("LOGIN_BUSY 1");
      await fresh.settle();
      expect(await refusalOf(throttle, email)).toBe("LOGIN_THROTTLED 60");
    });
  });
});

// The account layer against an attacker, over real HTTP and a real database (SQLite file or PostgreSQL): concurrent
// guesses, credential changes racing logins, blocked deletes, enumeration, token and session lifetimes.
import { hash } from "@node-rs/argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  // TRUST_PROXY lets each test speak for a different client address through X-Forwarded-For.
  t = await startTestServer({ TRUST_PROXY: "loopback", LOGIN_ACCOUNT_FAILURES: "5", LOGIN_PAIR_FAILURES: "5", LOGIN_IP_FAILURES: "50" });
});
afterAll(() => t.stop());

const LOGIN = `mutation ($email: String!, $password: String!, $device: String) {
  login(email: $email, password: $password, deviceToken: $device) { accessToken refreshToken deviceToken user { id } }
}`;
let addresses = 0;
/** A fresh client address (documentation range; only ever a header value, never a destination). */
const newIp = () => `203.0.113.${++addresses}`;
const login = (email: string, password: string, ip: string, device?: string) =>
  t.gql(LOGIN, { variables: { email, password, device: device ?? null }, headers: { "x-forwarded-for": ip } });

async function verifications(): Promise<number> {
  const text = await (await fetch(new URL("/metrics", t.url))).text();
  return Number(/^claimgate_password_verifications_total (\d+)$/m.exec(text)?.[1]);
}

let users = 0;
async function newUser(): Promise<{ id: string; email: string; password: string }> {
  const email = `victim${++users}@example.com`;
  const password = "correct-horse-battery";
  const { body } = await t.gql(`mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { auth { user { id } } } }`, {
    variables: { e: email, p: password },
    headers: { "x-forwarded-for": newIp() },
  });
  return { id: body.data!["register"].auth.user.id, email, password };
}

/** A login refused by the throttle: a lock for failed attempts, or checks still running (busy). */
const refusedReasons: unknown[] = ["LOGIN_THROTTLED", "LOGIN_BUSY"];

describe("throttling that concurrency cannot beat", () => {
  it("50 concurrent guesses and the right password for one account run at most 5 password verifications", async () => {
    const victim = await newUser();
    const before = await verifications();
    const responses = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => login(victim.email, `wrong-guess-${i}`, newIp())),
      login(victim.email, victim.password, newIp()),
    ]);
    expect((await verifications()) - before).toBeLessThanOrEqual(5);
    // Refused while the 5 checks ran (LOGIN_BUSY, a second) or after they failed (LOGIN_THROTTLED).
    const throttled = responses.filter((response) => refusedReasons.includes(response.body.errors?.[0]?.extensions?.["reason"]));
    expect(throttled.length).toBeGreaterThanOrEqual(51 - 5);
    for (const response of throttled) expect(firstError(response).retryAfter).toBeGreaterThan(0);
    // The checks are over and failed: the lock is refused as what it is.
    expect(firstError(await login(victim.email, victim.password, newIp()))).toMatchObject({ reason: "LOGIN_THROTTLED", retryAfter: 30 });
  });

  it("120 concurrent guesses from one address run at most 50 verifications", async () => {
    const ip = newIp();
    const before = await verifications();
    const responses = await Promise.all(Array.from({ length: 120 }, (_, i) => login(`nobody${i}@example.com`, "wrong-password-1", ip)));
    expect((await verifications()) - before).toBeLessThanOrEqual(50);
    expect(responses.filter((response) => refusedReasons.includes(response.body.errors?.[0]?.extensions?.["reason"])).length).toBeGreaterThanOrEqual(70);
    expect(firstError(await login("nobody-else@example.com", "wrong-password-1", ip)).reason).toBe("LOGIN_THROTTLED");
  });

  it("successful logins use up no limit: 20 people behind one address log in at once, one of them 20 times in a row", async () => {
    const ip = newIp();
    const people = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    const responses = await Promise.all(people.map((person) => login(person.email, person.password, ip)));
    expect(responses.map((response) => response.body.errors?.[0]?.extensions?.["reason"] ?? "ok")).toEqual(Array(20).fill("ok"));
    for (let i = 0; i < 20; i++) expect((await login(people[0]!.email, people[0]!.password, ip)).body.errors).toBeUndefined();
  });

  it("30 concurrent logins with the right password: each succeeds or is told to retry in a second, none of failures", async () => {
    const owner = await newUser();
    const sharedIp = newIp();
    // Half from one address (30 tabs), half from as many hosts (a fleet of workers).
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(owner.email, owner.password, i % 2 === 0 ? sharedIp : newIp())));
    const busy = responses.filter((response) => response.body.errors);
    for (const response of busy) {
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("1");
      const error = firstError(response);
      expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_BUSY", retryAfter: 1 });
      expect(error.message).toBe("Too many logins for this account or address are being checked at this moment; try again in a second.");
    }
    expect(responses.length - busy.length).toBeGreaterThanOrEqual(5);
    // 30 Argon2id checks cannot all finish before the 6th reservation: the refusal happened.
    expect(busy.length).toBeGreaterThan(0);
    // All checks over, all given back: the next logins go straight through, from either address.
    expect((await login(owner.email, owner.password, sharedIp)).body.errors).toBeUndefined();
    expect((await login(owner.email, owner.password, newIp())).body.errors).toBeUndefined();
  });

  it("a login ending any way but a session leaves no check in flight: wrong, oversized, disabled, rehash race, device token, changePassword", async () => {
    const db = t.server.services.db;
    const inFlight = async () => db.loginThrottle.findMany({ where: { inFlight: { gt: 0 } }, select: { key: true, inFlight: true } });
    const victim = await newUser();
    // Wrong, unknown and oversized passwords, at once: failures, settled.
    await Promise.all([
      login(victim.email, "wrong-password-1", newIp()),
      login("nobody-at-all@example.com", "wrong-password-1", newIp()),
      login(victim.email, "x".repeat(200), newIp()),
    ]);
    expect(await inFlight()).toEqual([]);
    // A device token with a wrong password.
    const device = (await login(victim.email, victim.password, newIp())).body.data!["login"].deviceToken as string;
    expect(firstError(await login(victim.email, "wrong-password-2", newIp(), device)).reason).toBe("INVALID_CREDENTIALS");
    expect(await inFlight()).toEqual([]);
    // changePassword with a wrong current password.
    const session = await login(victim.email, victim.password, newIp());
    const changed = await t.gql(`mutation { changePassword(currentPassword: "not-the-password", newPassword: "another-new-password") }`, {
      token: session.body.data!["login"].accessToken,
      headers: { "x-forwarded-for": newIp() },
    });
    expect(firstError(changed).reason).toBe("INVALID_CREDENTIALS");
    expect(await inFlight()).toEqual([]);
    // A weaker hash upgraded by the first of several logins at once: the others lose the race.
    const rehashed = await newUser();
    const weak = await hash(rehashed.password, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await db.user.update({ where: { id: rehashed.id }, data: { passwordHash: weak } });
    const racing = await Promise.all(Array.from({ length: 4 }, () => login(rehashed.email, rehashed.password, newIp())));
    expect(racing.some((response) => !response.body.errors)).toBe(true);
    expect(await inFlight()).toEqual([]);
    // A disabled account, with the right password.
    const admin = await t.login(ALICE.email, ALICE.password);
    await t.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }`, { token: admin.accessToken, variables: { id: victim.id } });
    expect(firstError(await login(victim.email, victim.password, newIp())).reason).toBe("ACCOUNT_DISABLED");
    expect(await inFlight()).toEqual([]);
  });

  it("an attacker retrying every LOGIN_BUSY at once buys no check: 5 a window, 1 per lock run out, a lock for failures never busy", async () => {
    const victim = await newUser();
    /** 40 attackers at once, each retrying a LOGIN_BUSY at once (up to 20 times); every answer's reason and retryAfter. */
    async function attack(): Promise<{ checks: number; answers: { reason: unknown; retryAfter: unknown }[] }> {
      const before = await verifications();
      const answers: { reason: unknown; retryAfter: unknown }[] = [];
      await Promise.all(
        Array.from({ length: 40 }, async (_, attacker) => {
          for (let retry = 0; retry < 20; retry++) {
            const error = firstError(await login(victim.email, `wrong-${attacker}-${retry}`, newIp()));
            answers.push({ reason: error.reason, retryAfter: error.retryAfter });
            if (error.reason !== "LOGIN_BUSY") return;
          }
        }),
      );
      return { checks: (await verifications()) - before, answers };
    }
    const expectAnswers = (answers: { reason: unknown; retryAfter: unknown }[], checks: number, lock: number) => {
      expect(answers.filter((answer) => answer.reason === "INVALID_CREDENTIALS")).toHaveLength(checks);
      // The clock stands still: a refusal is either busy (1 s) or the whole lock, nothing else.
      for (const answer of answers.filter((answer) => answer.reason !== "INVALID_CREDENTIALS")) {
        expect([{ reason: "LOGIN_BUSY", retryAfter: 1 }, { reason: "LOGIN_THROTTLED", retryAfter: lock }]).toContainEqual(answer);
      }
    };
    const first = await attack();
    expect(first.checks).toBe(5);
    expectAnswers(first.answers, 5, 30);
    // Every check over and failed: the owner is told the lock as it is, not "busy".
    expect(firstError(await login(victim.email, victim.password, newIp()))).toMatchObject({ reason: "LOGIN_THROTTLED", retryAfter: 30 });
    try {
      // The lock runs out within the window: one more check, and a lock twice as long.
      t.clock.advance(31);
      const second = await attack();
      expect(second.checks).toBe(1);
      expectAnswers(second.answers, 1, 60);
      expect(firstError(await login(victim.email, victim.password, newIp()))).toMatchObject({ reason: "LOGIN_THROTTLED", retryAfter: 60 });
      // Window and lock over: a fresh count of 5, the first lock again.
      t.clock.advance(901);
      const third = await attack();
      expect(third.checks).toBe(5);
      expectAnswers(third.answers, 5, 30);
      const counter = await t.server.services.db.loginThrottle.findMany({ where: { key: { startsWith: "account:" }, inFlight: { gt: 0 } } });
      expect(counter).toEqual([]);
    } finally {
      t.clock.advance(-932);
    }
  });

  it("unknown and known accounts are throttled alike", async () => {
    const victim = await newUser();
    const ip = newIp();
    for (const email of [victim.email, "no-such-account@example.com"]) {
      for (let i = 0; i < 5; i++) expect(firstError(await login(email, "wrong-password-1", newIp())).reason).toBe("INVALID_CREDENTIALS");
      const locked = firstError(await login(email, "wrong-password-1", ip));
      expect(locked).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_THROTTLED" });
      expect(locked.message).toMatch(/^Too many failed login attempts; try again in \d+ seconds\.$/);
    }
  });

  it("the owner's device token keeps the owner in while strangers lock the account; that device has its own limit", async () => {
    const victim = await newUser();
    const ownerIp = newIp();
    const first = await login(victim.email, victim.password, ownerIp);
    const device = first.body.data!["login"].deviceToken as string;
    expect(device).toMatch(/^ey/);

    // Strangers lock the account.
    for (let i = 0; i < 5; i++) await login(victim.email, `guess-${i}`, newIp());
    expect(firstError(await login(victim.email, victim.password, newIp())).reason).toBe("LOGIN_THROTTLED");
    expect(firstError(await login(victim.email, victim.password, ownerIp)).reason).toBe("LOGIN_THROTTLED");

    // The owner's device is exempt from the account-wide lock, and so is the owner's session
    // when changing the password.
    const again = await login(victim.email, victim.password, ownerIp, device);
    expect(again.body.errors).toBeUndefined();
    const changed = await t.gql(`mutation ($p: String!) { changePassword(currentPassword: $p, newPassword: "the-owners-new-password") }`, {
      token: again.body.data!["login"].accessToken,
      variables: { p: victim.password },
      headers: { "x-forwarded-for": ownerIp },
    });
    expect(changed.body.errors).toBeUndefined();
    victim.password = "the-owners-new-password";
    // A device token of another account, or a forged one, exempts nothing.
    const bobDevice = (await login(BOB.email, BOB.password, newIp())).body.data!["login"].deviceToken as string;
    expect(firstError(await login(victim.email, victim.password, newIp(), bobDevice)).reason).toBe("LOGIN_THROTTLED");
    expect(firstError(await login(victim.email, victim.password, newIp(), `${device.slice(0, -4)}AAAA`)).reason).toBe("LOGIN_THROTTLED");
    // A stolen device token still needs the password, and has its own five tries.
    const thief = newIp();
    for (let i = 0; i < 5; i++) expect(firstError(await login(victim.email, `thief-${i}`, thief, device)).reason).toBe("INVALID_CREDENTIALS");
    expect(firstError(await login(victim.email, victim.password, newIp(), device)).reason).toBe("LOGIN_THROTTLED");
  });
});

describe("credential changes win every race", () => {
  const ME = "{ me { id } }";
  const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`;

  /** Logs in `count` times at once while `change` runs; returns every token pair the logins got. */
  async function loginsDuring(user: { email: string; password: string }, change: () => Promise<unknown>) {
    const logins = Array.from({ length: 12 }, () => login(user.email, user.password, newIp()));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await change();
    return (await Promise.all(logins)).flatMap((response) => (response.body.data?.["login"] ? [response.body.data["login"]] : []));
  }

  /** Every login of a race is over: each gave its reservation back (a session start, refused or not) or settled it. */
  const expectNothingInFlight = async () =>
    expect(await t.server.services.db.loginThrottle.findMany({ where: { inFlight: { gt: 0 } }, select: { key: true, inFlight: true } })).toEqual([]);

  /** Every pair at once: each is asked about on its own, so the order proves nothing. */
  async function expectAllDead(issued: { accessToken: string; refreshToken: string }[]) {
    await Promise.all(
      issued.map(async (tokens) => {
        expect((await t.gql(ME, { token: tokens.accessToken })).body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
        expect((await t.gql(REFRESH, { variables: { r: tokens.refreshToken } })).body.data).toBeNull();
      }),
    );
  }

  it("10 rounds: logins racing a password change leave no live session, no working token, no check in flight", async () => {
    for (let round = 0; round < 10; round++) {
      const user = await newUser();
      const own = (await login(user.email, user.password, newIp())).body.data!["login"];
      const issued = await loginsDuring(user, () =>
        t.gql(`mutation ($p: String!) { changePassword(currentPassword: $p, newPassword: "a-brand-new-password") }`, {
          token: own.accessToken,
          variables: { p: user.password },
        }),
      );
      await expectAllDead(issued);
      await expectNothingInFlight();
      const live = await t.server.services.db.session.count({ where: { userId: user.id, revokedAt: null, NOT: { id: decodeSid(own.accessToken) } } });
      expect(live).toBe(0);
    }
  });

  it("10 rounds: logins racing a disable, a delete or a session sweep leave nothing working and no check in flight", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const changes = [
      (id: string) => t.gql(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { disabled } }`, { token: admin.accessToken, variables: { id } }),
      (id: string) => t.gql(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { token: admin.accessToken, variables: { id } }),
      (id: string) => t.gql(`mutation ($id: ID!) { revokeUserSessions(userId: $id) }`, { token: admin.accessToken, variables: { id } }),
    ];
    for (let round = 0; round < 10; round++) {
      const user = await newUser();
      const change = changes[round % changes.length]!;
      const issued = await loginsDuring(user, async () => expect((await change(user.id)).body.errors).toBeUndefined());
      await expectAllDead(issued);
      await expectNothingInFlight();
      expect(await t.server.services.db.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    }
  });

  it("a demoted admin's tokens stop carrying role=admin at once (TOKEN_EXPIRED, then refresh)", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const victim = await newUser();
    await t.gql(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { role: "admin" }) { id } }`, { token: admin.accessToken, variables: { id: victim.id } });
    const tokens = (await login(victim.email, victim.password, newIp())).body.data!["login"];
    expect((await t.gql("{ users { id } }", { token: tokens.accessToken })).body.errors).toBeUndefined();
    await t.gql(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: {}) { id } }`, { token: admin.accessToken, variables: { id: victim.id } });
    const stale = firstError(await t.gql("{ users { id } }", { token: tokens.accessToken }));
    expect(stale).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" });
    const fresh = (await t.gql(REFRESH, { variables: { r: tokens.refreshToken } })).body.data!["refresh"];
    expect(firstError(await t.gql("{ users { id } }", { token: fresh.accessToken }))).toMatchObject({ code: "FORBIDDEN", reason: "MISSING_CLAIMS" });
  });
});

const decodeSid = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).sid as string;

describe("deletion that cannot be blocked", () => {
  it("a look-alike tombstone address cannot be registered, and the delete goes through", async () => {
    const victim = await newUser();
    for (const email of [`deleted-${victim.id}@deleted.invalid`, `deleted:${victim.id}`, `x@host.localhost`]) {
      const { body } = await t.gql(`mutation ($e: String!) { register(email: $e, password: "whatever-password") { status } }`, { variables: { e: email } });
      expect(firstError({ body } as never)).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_EMAIL" });
    }
    const admin = await t.login(ALICE.email, ALICE.password);
    const deleted = await t.gql(`mutation ($id: ID!) { deleteUser(userId: $id) }`, { token: admin.accessToken, variables: { id: victim.id } });
    expect(deleted.body).toEqual({ data: { deleteUser: true } });
    expect(firstError(await login(victim.email, victim.password, newIp())).reason).toBe("INVALID_CREDENTIALS");
    const row = await t.server.services.db.user.findUnique({ where: { id: victim.id } });
    expect(row).toMatchObject({ email: `deleted:${victim.id}`, passwordHash: "!" });
    expect(row!.deletedAt).not.toBeNull();
    // No personal data stays behind: ended sessions keep no address or browser, counters no email.
    const sessions = await t.server.services.db.session.findMany({ where: { userId: victim.id }, select: { ip: true, userAgent: true } });
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((session) => session.ip === null && session.userAgent === null)).toBe(true);
    const counters = await t.server.services.db.loginThrottle.findMany({ select: { key: true } });
    expect(counters.some((counter) => counter.key.includes("@"))).toBe(false);
  });

  it("look-alike addresses are refused: invisible characters, and compatibility forms fold to one account", async () => {
    for (const email of ["bob\u200b@example.com", "bob@exam\u202eple.com", "bob\u0007@example.com"]) {
      const { body } = await t.gql(`mutation ($e: String!) { register(email: $e, password: "whatever-password") { status } }`, { variables: { e: email } });
      expect(firstError({ body } as never)).toMatchObject({ reason: "INVALID_EMAIL" });
    }
    // Full-width letters are NFKC-normalised to bob@example.com: the same account.
    const { body } = await t.gql(`mutation ($e: String!) { register(email: $e, password: "whatever-password") { status } }`, {
      variables: { e: "ｂｏｂ@example.com" },
    });
    expect(firstError({ body } as never)).toMatchObject({ reason: "EMAIL_TAKEN" });
  });
});

describe("lifetimes", () => {
  it("a session ends SESSION_MAX_AGE after its login however often it refreshes", async () => {
    let tokens = (await login(BOB.email, BOB.password, newIp())).body.data!["login"];
    const REFRESH_BOTH = `mutation ($r: String!) { refresh(refreshToken: $r) { accessToken refreshToken } }`;
    try {
      for (let day = 0; day < 5; day++) {
        t.clock.advance(5 * 86400);
        const next = await t.gql(REFRESH_BOTH, { variables: { r: tokens.refreshToken } });
        expect(next.body.errors).toBeUndefined();
        tokens = next.body.data!["refresh"];
      }
      t.clock.advance(6 * 86400);
      expect(firstError(await t.gql(REFRESH_BOTH, { variables: { r: tokens.refreshToken } }))).toMatchObject({
        code: "UNAUTHENTICATED",
        reason: "SESSION_EXPIRED",
      });
    } finally {
      t.clock.advance(-31 * 86400);
    }
  });
});

describe("audit trail", () => {
  it("records who changed whose claims, disabled, revoked and deleted, with before and after, for admins only", async () => {
    const admin = await t.login(ALICE.email, ALICE.password);
    const target = await newUser();
    const as = (query: string) => t.gql(query, { token: admin.accessToken, variables: { id: target.id } });
    const own = await login(target.email, target.password, newIp());
    await t.gql("mutation { logoutAll }", { token: own.body.data!["login"].accessToken });
    await as(`mutation ($id: ID!) { setUserClaims(userId: $id, claims: { permissions: ["posts:read"] }) { id } }`);
    await as(`mutation ($id: ID!) { setUserDisabled(userId: $id, disabled: true) { id } }`);
    await as(`mutation ($id: ID!) { revokeUserSessions(userId: $id) }`);
    await as(`mutation ($id: ID!) { deleteUser(userId: $id) }`);
    const log = await as(`query ($id: ID) { auditLog(userId: $id) { action actorKind actorId targetUserId before after } }`);
    expect(log.body.data!["auditLog"]).toEqual([
      { action: "account_deleted", actorKind: "admin", actorId: admin.user.id, targetUserId: target.id, before: { claims: { permissions: ["posts:read"] } }, after: null },
      { action: "sessions_revoked", actorKind: "admin", actorId: admin.user.id, targetUserId: target.id, before: null, after: null },
      { action: "account_disabled", actorKind: "admin", actorId: admin.user.id, targetUserId: target.id, before: { disabled: false }, after: { disabled: true } },
      { action: "claims_changed", actorKind: "admin", actorId: admin.user.id, targetUserId: target.id, before: {}, after: { permissions: ["posts:read"] } },
      { action: "sessions_revoked", actorKind: "user", actorId: target.id, targetUserId: target.id, before: null, after: { scope: "all" } },
    ]);
    const bob = await t.login(BOB.email, BOB.password);
    expect(firstError(await t.gql("{ auditLog { id } }", { token: bob.accessToken }))).toMatchObject({ code: "FORBIDDEN" });
  });
});

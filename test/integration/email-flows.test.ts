// Registration with email verification and password reset, end to end: the real server sends
// through nodemailer to a real SMTP server started here, and the test follows the links.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords.js";
import { interleavedMedians } from "../support/interleaved-timing.js";
import { type SmtpCapture, startSmtpCapture, tokenIn } from "../support/smtp-capture.js";
import { BOB, firstError, startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await startTestServer({
    REQUIRE_EMAIL_VERIFICATION: "true",
    SMTP_URL: smtp.url,
    APP_URL: "https://app.example.com",
    MAIL_FROM: "claimgate tests <tests@example.com>",
    TRUST_PROXY: "loopback",
    // The timing test sends bob many notices; the cap has its own test.
    MAILS_PER_ADDRESS: "1000",
  });
});
afterAll(async () => {
  await t.stop();
  await smtp.stop();
});

const REGISTER = `mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { status auth { accessToken } } }`;
const VERIFY = `mutation ($t: String!) { verifyEmail(token: $t) { accessToken refreshToken user { email } } }`;
const REQUEST_RESET = `mutation ($e: String!) { requestPasswordReset(email: $e) }`;
const RESET = `mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;
let ips = 0;
const from = () => ({ "x-forwarded-for": `198.51.100.${++ips}` });
const register = (e: string, p: string) => t.gql(REGISTER, { variables: { e, p }, headers: from() });

describe("registration with email verification", () => {
  it("answers VERIFICATION_SENT with no tokens; the link confirms the address and logs in; before it, login fails", async () => {
    const registered = await register("dana@example.com", "dana-password-123");
    expect(registered.body).toEqual({ data: { register: { status: "VERIFICATION_SENT", auth: null } } });
    const mail = await smtp.next("dana@example.com");
    expect(mail.subject).toBe("Confirm your email address");
    expect(mail.text).toContain("https://app.example.com/verify-email?token=cge_");

    expect(firstError(await t.gql(LOGIN, { variables: { e: "dana@example.com", p: "dana-password-123" } })).reason).toBe("INVALID_CREDENTIALS");

    const verified = await t.gql(VERIFY, { variables: { t: tokenIn(mail) } });
    expect(verified.body.errors).toBeUndefined();
    expect(verified.body.data!["verifyEmail"].user).toEqual({ email: "dana@example.com" });
    expect((await t.gql("{ me { email } }", { token: verified.body.data!["verifyEmail"].accessToken })).body.data).toEqual({ me: { email: "dana@example.com" } });
    expect((await t.gql(LOGIN, { variables: { e: "dana@example.com", p: "dana-password-123" } })).body.errors).toBeUndefined();

    // Single use.
    expect(firstError(await t.gql(VERIFY, { variables: { t: tokenIn(mail) } }))).toMatchObject({ code: "BAD_USER_INPUT", reason: "EMAIL_TOKEN_INVALID" });
  });

  it("answers a taken address byte for byte like a free one, and mails its owner instead", async () => {
    const taken = await register(BOB.email, "someone-elses-password");
    const free = await register("frank@example.com", "frank-password-123");
    expect(JSON.stringify(taken.body)).toBe(JSON.stringify(free.body));
    expect(taken.status).toBe(free.status);
    const notice = await smtp.next(BOB.email);
    expect(notice.subject).toBe("Someone tried to register with your address");
    expect(notice.text).not.toMatch(/token=/);
    // Bob's password is unchanged.
    expect((await t.gql(LOGIN, { variables: { e: BOB.email, p: BOB.password } })).body.errors).toBeUndefined();
  });

  it("a taken address costs the same Argon2id hashing as a free one (timing is equalised)", async () => {
    // Without hashing on the taken path it answers in about a millisecond, against tens for a new
    // account. Compared with one Argon2id hash made here, interleaved: a free registration also
    // writes the account (and its mail work after the answer competes for the cores), which made
    // "free" a moving target on a loaded machine.
    const [taken, hash] = await interleavedMedians(
      () => register(BOB.email, "timing-password-123"),
      () => hashPassword("timing-password-123"),
    );
    // A leak would be ~1 ms against a hash of 10 ms or more; half a hash is a generous bound.
    expect(taken, `taken ${taken.toFixed(1)} ms, one hash ${hash.toFixed(1)} ms`).toBeGreaterThan(hash * 0.5);
  });

  it("a second registration of a pending address sends no second link, only a notice; the first link stays the only one", async () => {
    await register("gina@example.com", "ginas-own-password-1");
    await register("gina@example.com", "attackers-password-1");
    const notice = await smtp.next("gina@example.com", (m) => m.subject === "Someone tried to register with your address");
    expect(notice.text).toMatch(/already has a registration waiting/);
    expect(notice.text).not.toMatch(/token=/);
    const links = smtp.mails.filter((m) => m.to.includes("gina@example.com") && m.subject === "Confirm your email address");
    expect(links).toHaveLength(1);
    expect((await t.gql(VERIFY, { variables: { t: tokenIn(links[0]!) } })).body.errors).toBeUndefined();
    expect(firstError(await t.gql(LOGIN, { variables: { e: "gina@example.com", p: "attackers-password-1" } })).reason).toBe("INVALID_CREDENTIALS");
    expect((await t.gql(LOGIN, { variables: { e: "gina@example.com", p: "ginas-own-password-1" } })).body.errors).toBeUndefined();
  });

  it("a stranger who registered the address first cannot keep it: the owner's reset takes it and kills the stranger's link", async () => {
    await register("jill@example.com", "attackers-password-2");
    const strangersLink = await smtp.next("jill@example.com", (m) => m.subject === "Confirm your email address");
    await t.gql(REQUEST_RESET, { variables: { e: "jill@example.com" }, headers: from() });
    const reset = await smtp.next("jill@example.com", (m) => m.subject === "Reset your password");
    expect((await t.gql(RESET, { variables: { t: tokenIn(reset), p: "jills-own-password-1" } })).body.errors).toBeUndefined();
    expect(firstError(await t.gql(VERIFY, { variables: { t: tokenIn(strangersLink) } })).reason).toBe("EMAIL_TOKEN_INVALID");
    expect(firstError(await t.gql(LOGIN, { variables: { e: "jill@example.com", p: "attackers-password-2" } })).reason).toBe("INVALID_CREDENTIALS");
    expect((await t.gql(LOGIN, { variables: { e: "jill@example.com", p: "jills-own-password-1" } })).body.errors).toBeUndefined();
  });

  it("an expired link says so", async () => {
    await register("hank@example.com", "hank-password-123");
    const mail = await smtp.next("hank@example.com");
    t.clock.advance(86400 + 1);
    try {
      expect(firstError(await t.gql(VERIFY, { variables: { t: tokenIn(mail) } }))).toMatchObject({ reason: "EMAIL_TOKEN_EXPIRED" });
    } finally {
      t.clock.advance(-86400 - 1);
    }
  });
});

describe("password reset", () => {
  it("answers true for every address; the mailed single-use link sets the password and ends every session", async () => {
    const session = (await t.gql(LOGIN, { variables: { e: BOB.email, p: BOB.password } })).body.data!["login"];
    const known = await t.gql(REQUEST_RESET, { variables: { e: BOB.email }, headers: from() });
    const unknown = await t.gql(REQUEST_RESET, { variables: { e: "nobody-here@example.com" }, headers: from() });
    expect(JSON.stringify(known.body)).toBe(JSON.stringify(unknown.body));
    expect(known.body).toEqual({ data: { requestPasswordReset: true } });

    const mail = await smtp.next(BOB.email, (m) => m.subject === "Reset your password");
    const token = tokenIn(mail);
    expect(firstError(await t.gql(RESET, { variables: { t: token, p: "short" } }))).toMatchObject({ reason: "PASSWORD_TOO_SHORT" });
    expect((await t.gql(RESET, { variables: { t: token, p: "bobs-new-password-1" } })).body).toEqual({ data: { resetPassword: true } });

    expect(firstError(await t.gql("{ me { id } }", { token: session.accessToken }))).toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await t.gql(`mutation ($r: String!) { refresh(refreshToken: $r) { accessToken } }`, { variables: { r: session.refreshToken } })).body.data).toBeNull();
    expect(firstError(await t.gql(LOGIN, { variables: { e: BOB.email, p: BOB.password } })).reason).toBe("INVALID_CREDENTIALS");
    expect((await t.gql(LOGIN, { variables: { e: BOB.email, p: "bobs-new-password-1" } })).body.errors).toBeUndefined();
    expect(firstError(await t.gql(RESET, { variables: { t: token, p: "another-password-1" } })).reason).toBe("EMAIL_TOKEN_INVALID");
    // Nothing was mailed for the unknown address.
    expect(smtp.mails.some((m) => m.to.includes("nobody-here@example.com"))).toBe(false);
    // Only the hash is stored.
    expect(await t.server.services.db.emailToken.count({ where: { tokenHash: token } })).toBe(0);
  });

  it("a newer reset link replaces older ones, and one address gets at most MAILS_PER_ADDRESS mails per window", async () => {
    const capped = await startSmtpCapture();
    const limited = await startTestServer({ REQUIRE_EMAIL_VERIFICATION: "true", SMTP_URL: capped.url, MAILS_PER_ADDRESS: "2", TRUST_PROXY: "loopback" });
    try {
      const ask = (ip: string) => limited.gql(REQUEST_RESET, { variables: { e: BOB.email }, headers: { "x-forwarded-for": ip } });
      await ask("192.0.2.1");
      const first = await capped.next(BOB.email);
      await ask("192.0.2.2");
      const second = await capped.next(BOB.email, (m) => m !== first);
      for (let i = 3; i < 8; i++) expect((await ask(`192.0.2.${i}`)).body).toEqual({ data: { requestPasswordReset: true } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(capped.mails).toHaveLength(2);
      expect(firstError(await limited.gql(RESET, { variables: { t: tokenIn(first), p: "bobs-other-password" } })).reason).toBe("EMAIL_TOKEN_INVALID");
      expect((await limited.gql(RESET, { variables: { t: tokenIn(second), p: "bobs-other-password" } })).body.errors).toBeUndefined();
    } finally {
      await limited.stop();
      await capped.stop();
    }
  });

  it("of 10 concurrent uses of one reset link exactly one succeeds", async () => {
    await t.gql(REQUEST_RESET, { variables: { e: "dana@example.com" }, headers: from() });
    const mail = await smtp.next("dana@example.com", (m) => m.subject === "Reset your password");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.gql(RESET, { variables: { t: tokenIn(mail), p: `dana-new-password-${i}` } })),
    );
    expect(results.filter((result) => result.body.data?.["resetPassword"] === true)).toHaveLength(1);
  });
});

describe("rate limits per address", () => {
  it("register, requestPasswordReset and verifyEmail answer RATE_LIMITED past their limits", async () => {
    const limited = await startTestServer({ TRUST_PROXY: "loopback", REGISTER_IP_LIMIT: "3", PASSWORD_RESET_IP_LIMIT: "2", VERIFY_EMAIL_IP_LIMIT: "2" });
    try {
      const headers = { "x-forwarded-for": "192.0.2.77" };
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          limited.gql(`mutation { register(email: "rl${i}@example.com", password: "password-${i}-long") { status } }`, { headers }),
        ),
      );
      expect(attempts.filter((a) => a.body.errors?.[0]?.extensions?.["reason"] === "RATE_LIMITED")).toHaveLength(5);
      for (let i = 0; i < 2; i++) await limited.gql(REQUEST_RESET, { variables: { e: "x@example.com" }, headers });
      const reset = firstError(await limited.gql(REQUEST_RESET, { variables: { e: "x@example.com" }, headers }));
      expect(reset).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "RATE_LIMITED" });
      expect(reset.retryAfter).toBeGreaterThan(0);
      for (let i = 0; i < 2; i++) await limited.gql(VERIFY, { variables: { t: "cge_nope" }, headers });
      expect(firstError(await limited.gql(VERIFY, { variables: { t: "cge_nope" }, headers })).reason).toBe("RATE_LIMITED");
    } finally {
      await limited.stop();
    }
  });
});

describe("pages for mailed links", () => {
  it("without APP_URL the server serves the pages its links open, locked down; with APP_URL it does not", async () => {
    const dev = await startTestServer({ REQUIRE_EMAIL_VERIFICATION: "true" });
    try {
      for (const path of ["/verify-email?token=cge_x", "/reset-password?token=cge_x"]) {
        const page = await fetch(new URL(path, dev.url));
        expect(page.status).toBe(200);
        expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
        expect(page.headers.get("referrer-policy")).toBe("no-referrer");
        const html = await page.text();
        expect(html).not.toContain("cge_x");
        expect(html).toContain(path.startsWith("/verify") ? "verifyEmail" : "resetPassword");
      }
    } finally {
      await dev.stop();
    }
    expect((await fetch(new URL("/verify-email?token=cge_x", t.url))).status).toBe(404);
  });
});

describe("development outbox", () => {
  it("without SMTP, mails are JSON files (0600) in DATA_DIR/outbox with the link and token, and the flow completes", async () => {
    const dev = await startTestServer({ REQUIRE_EMAIL_VERIFICATION: "true" });
    try {
      expect((await dev.gql(`mutation { register(email: "ivy@example.com", password: "ivy-password-123") { status } }`)).body.data).toEqual({
        register: { status: "VERIFICATION_SENT" },
      });
      const outbox = join(dev.dataDir, "outbox");
      let files: string[] = [];
      for (let i = 0; i < 100 && files.length === 0; i++) {
        files = await readdir(outbox).catch(() => []);
        if (files.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/-verify_email-[0-9a-f]{8}\.json$/);
      const mail = JSON.parse(await readFile(join(outbox, files[0]!), "utf8"));
      expect(mail).toMatchObject({ to: "ivy@example.com", purpose: "verify_email", subject: "Confirm your email address" });
      expect(mail.link).toBe(`${new URL(dev.url).origin}/verify-email?token=${mail.token}`);
      expect((await stat(join(outbox, files[0]!))).mode & 0o777).toBe(0o600);
      expect((await dev.gql(VERIFY, { variables: { t: mail.token } })).body.data!["verifyEmail"].user).toEqual({ email: "ivy@example.com" });
    } finally {
      await dev.stop();
    }
  });
});

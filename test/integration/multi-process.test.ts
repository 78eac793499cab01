// Two server processes on one database (a SQLite file, or PostgreSQL on that pass), as a
// horizontally scaled deployment runs them.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, type ServerProcess, startServerProcess } from "../support/server-process.js";
import { testQuery } from "../support/test-database.js";

const SYNC_SECONDS = 1;
let dataDir: string;
let env: Record<string, string>;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "claimgate-multi-"));
  env = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    REVOCATION_SYNC_INTERVAL: `${SYNC_SECONDS}s`,
    SEED_DEMO_USERS: "true",
  };
  // One after the other: the first applies the migrations and seeds, the second finds them done.
  a = await startServerProcess(env);
  b = await startServerProcess(env);
}, 90_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await rm(dataDir, { recursive: true, force: true });
});

const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;

const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { refreshToken } }`;

async function verifications(server: ServerProcess): Promise<number> {
  const text = await (await fetch(new URL("/metrics", server.url))).text();
  return Number(/^claimgate_password_verifications_total (\d+)$/m.exec(text)?.[1]);
}

describe("two processes, one database", () => {
  it("20 refresh tokens, each presented 4 times at once through both processes: one rotation per token, no forked family", async () => {
    // One after the other: concurrent logins to one account are throttled (reserved attempts).
    const tokens: string[] = [];
    for (let i = 0; i < 20; i++) {
      const login = await postGraphQL(i % 2 ? a.url : b.url, LOGIN, { variables: { e: "bob@example.com", p: "bob-password-123" } });
      tokens.push(login.body.data.login.refreshToken as string);
    }
    const outcomes = await Promise.all(
      tokens.map((token) => Promise.all([a, b, a, b].map((server) => postGraphQL(server.url, REFRESH, { variables: { r: token } })))),
    );
    for (const responses of outcomes) {
      const successors = new Set(responses.flatMap((response) => (response.body.data?.refresh ? [response.body.data.refresh.refreshToken as string] : [])));
      // One client retrying: every answer is the one successor (the losers get it back within the grace period).
      expect(successors.size).toBe(1);
    }
    const successor = (outcomes[0]![0]!.body.data?.refresh?.refreshToken ?? "") as string;
    expect(successor).not.toBe("");
    // In the database: every family has one token per generation, and its session is live.
    const forks = await testQuery(
      env,
      `SELECT t."sessionId", t."generation", CAST(COUNT(*) AS INTEGER) AS n FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId"
       JOIN "User" u ON u."id" = s."userId" WHERE u."email" = 'bob@example.com' GROUP BY t."sessionId", t."generation" HAVING COUNT(*) > 1`,
    );
    expect(forks).toEqual([]);
    const rows = await testQuery<{ n: number }>(
      env,
      `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "RefreshToken" t JOIN "Session" s ON s."id" = t."sessionId"
       JOIN "User" u ON u."id" = s."userId" WHERE u."email" = 'bob@example.com' AND t."generation" = 1 AND s."revokedAt" IS NULL`,
    );
    expect(rows[0]!.n).toBe(20);
  }, 60_000);

  it("of 40 concurrent refreshes of one token through both processes, exactly one rotation happens", async () => {
    const login = await postGraphQL(a.url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } });
    const first = login.body.data!["login"].refreshToken as string;
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => postGraphQL((i % 2 === 0 ? a : b).url, REFRESH, { variables: { r: first } })));
    const successors = new Set(responses.flatMap((response) => (response.body.data?.["refresh"] ? [response.body.data["refresh"].refreshToken as string] : [])));
    // The same client retrying: every winner of the race gets the one successor (sealed retry), nobody a second one.
    expect(successors.size).toBe(1);
    const refused = responses.flatMap((response) => response.body.errors?.map((error) => error.extensions?.["reason"]) ?? []);
    expect(refused.filter((reason) => reason !== "REFRESH_TOKEN_ROTATED")).toEqual([]);
    // The family did not fork and was not revoked: the successor rotates once more, in either process.
    const [successor] = [...successors];
    const next = await postGraphQL(b.url, REFRESH, { variables: { r: successor } });
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data!["refresh"].refreshToken).not.toBe(successor);
  });

  it("50 concurrent guesses for one account through both processes run at most 5 password verifications", async () => {
    const before = (await verifications(a)) + (await verifications(b));
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postGraphQL((i % 2 === 0 ? a : b).url, LOGIN, { variables: { e: "carol-nobody@example.com", p: `wrong-guess-${i}` } })),
    );
    expect((await verifications(a)) + (await verifications(b)) - before).toBeLessThanOrEqual(5);
    // Refused while the 5 checks ran (LOGIN_BUSY) or after they failed (LOGIN_THROTTLED).
    const throttled = responses.filter((response) => ["LOGIN_THROTTLED", "LOGIN_BUSY"].includes(response.body.errors?.[0]?.extensions?.["reason"]));
    expect(throttled.length).toBeGreaterThanOrEqual(45);
  });

  it("30 concurrent right-password logins for one account through both processes: each succeeds or is told busy for a second", async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => postGraphQL((i % 2 === 0 ? a : b).url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } })),
    );
    const refused = responses.filter((response) => response.body.errors);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(response.body.errors![0]!.extensions).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_BUSY", retryAfter: 1 });
      expect(response.body.errors![0]!.message).not.toMatch(/failed/);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(responses.length - refused.length).toBeGreaterThanOrEqual(5);
    // All given back: the next login goes through at once, on either process.
    for (const server of [a, b]) expect((await postGraphQL(server.url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } })).body.errors).toBeUndefined();
  });

  it("a session revoked through one process stops its access token in the other within the sync interval", async () => {
    const { body } = await postGraphQL(a.url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } });
    const { accessToken, refreshToken } = body.data.login;
    expect((await postGraphQL(b.url, "{ me { email } }", { token: accessToken })).body.data).toEqual({ me: { email: "alice@example.com" } });

    expect((await postGraphQL(a.url, "mutation ($r: String!) { logout(refreshToken: $r) }", { variables: { r: refreshToken } })).body.data).toEqual({
      logout: true,
    });
    const revokedAt = Date.now();
    // Immediately refused by the process that revoked it.
    expect((await postGraphQL(a.url, "{ me { email } }", { token: accessToken })).status).toBe(401);

    let refusedAfter: number | null = null;
    while (Date.now() - revokedAt < 10_000) {
      const response = await postGraphQL(b.url, "{ me { email } }", { token: accessToken });
      if (response.status === 401) {
        refusedAfter = Date.now() - revokedAt;
        expect(response.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refusedAfter).not.toBeNull();
    // The configured delay, plus slack for a loaded 2-core machine.
    expect(refusedAfter!).toBeLessThanOrEqual(SYNC_SECONDS * 1000 + 1500);
  });

  it("brute-force limits hold across processes and survive a restart", async () => {
    for (let i = 0; i < 5; i++) {
      const server = i % 2 === 0 ? a : b;
      await postGraphQL(server.url, LOGIN, { variables: { e: "bob@example.com", p: `wrong-password-${i}` } });
    }
    const locked = await postGraphQL(b.url, LOGIN, { variables: { e: "bob@example.com", p: "bob-password-123" } });
    expect(locked.status).toBe(429);

    expect(await b.stop()).toBe(0);
    b = await startServerProcess({ ...env, SEED_DEMO_USERS: "false" });
    const afterRestart = await postGraphQL(b.url, LOGIN, { variables: { e: "bob@example.com", p: "bob-password-123" } });
    expect(afterRestart.status).toBe(429);
    expect(afterRestart.body.errors![0]!.extensions).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_THROTTLED" });
  });
});

// Three server processes on one database, as a scaled-out deployment behind a load balancer runs
// them: every step of a session's life lands on a different process.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, type ServerProcess, startServerProcess } from "../support/server-process.js";
import { openSocket } from "../support/socket-client.js";
import { onPostgres, releaseDatabaseFor } from "../support/test-database.js";

const SYNC_SECONDS = 1;
/**
 * How soon every other process must refuse an ended session's access token: PostgreSQL pushes the
 * change (milliseconds; the bench measures it, this bound only has to be generous), SQLite
 * processes poll every REVOCATION_SYNC_INTERVAL (plus slack for a loaded two-core machine).
 */
const REFUSED_WITHIN_MS = onPostgres ? 1000 : SYNC_SECONDS * 1000 + 1500;
let dataDir: string;
let processes: ServerProcess[] = [];
/** Process i of the rotation, wrapping around. */
const at = (i: number) => processes[i % processes.length]!;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "claimgate-three-"));
  const env = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    REVOCATION_SYNC_INTERVAL: `${SYNC_SECONDS}s`,
    SEED_DEMO_USERS: "true",
    REQUIRE_EMAIL_VERIFICATION: "false",
    REGISTER_IP_LIMIT: "10000",
  };
  // All three at once, as an orchestrator starts them: on SQLite on an empty file, where each
  // migration is applied once and the demo data seeded once, whoever comes first (on PostgreSQL
  // the database comes migrated; postgres-migrations.test.ts starts processes on an empty one).
  processes = await Promise.all([0, 1, 2].map(() => startServerProcess(env)));
}, 120_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await releaseDatabaseFor(dataDir);
  await rm(dataDir, { recursive: true, force: true });
});

const REGISTER = `mutation ($e: String!, $p: String!) { register(email: $e, password: $p) { status } }`;
const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;
const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { accessToken refreshToken } }`;
const LOGOUT = `mutation ($r: String!) { logout(refreshToken: $r) }`;

/** Waits until every process refuses the access token; returns the slowest process's delay in ms. */
async function refusedEverywhere(accessToken: string, since: number): Promise<number> {
  const delays = await Promise.all(
    processes.map(async (p) => {
      while (Date.now() - since < 10_000) {
        const response = await postGraphQL(p.url, "{ me { email } }", { token: accessToken });
        if (response.status === 401) {
          expect(response.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "TOKEN_INVALID" });
          return Date.now() - since;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`${p.url} still accepts the token 10 s after its session ended`);
    }),
  );
  return Math.max(...delays);
}

async function passwordVerifications(): Promise<number> {
  let total = 0;
  for (const p of processes) {
    const text = await (await fetch(new URL("/metrics", p.url))).text();
    total += Number(/^claimgate_password_verifications_total (\d+)$/m.exec(text)![1]);
  }
  return total;
}

describe("three processes, one database", () => {
  it("login → query → refresh → logout, each step on the next process, for three users in turn", async () => {
    for (let round = 0; round < 3; round++) {
      const email = `rotation-${round}@example.com`;
      const password = `rotation-password-${round}`;
      expect((await postGraphQL(at(round).url, REGISTER, { variables: { e: email, p: password } })).body.data).toEqual({ register: { status: "REGISTERED" } });
      const login = (await postGraphQL(at(round + 1).url, LOGIN, { variables: { e: email, p: password } })).body.data.login;
      expect((await postGraphQL(at(round + 2).url, "{ me { email } }", { token: login.accessToken })).body.data).toEqual({ me: { email } });
      const refreshed = (await postGraphQL(at(round + 3).url, REFRESH, { variables: { r: login.refreshToken } })).body.data.refresh;
      expect((await postGraphQL(at(round + 4).url, "{ me { email } }", { token: refreshed.accessToken })).body.data).toEqual({ me: { email } });
      expect((await postGraphQL(at(round + 5).url, LOGOUT, { variables: { r: refreshed.refreshToken } })).body.data).toEqual({ logout: true });
      expect(await refusedEverywhere(refreshed.accessToken, Date.now())).toBeLessThanOrEqual(REFUSED_WITHIN_MS);
      // The ended session's refresh token is dead on every process.
      for (const p of processes) {
        const refused = await postGraphQL(p.url, REFRESH, { variables: { r: refreshed.refreshToken } });
        expect(refused.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
      }
    }
  });

  it("a refresh token presented to all three at once rotates once: every winner holds the same successor", async () => {
    const { refreshToken } = (await postGraphQL(at(0).url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } })).body.data.login;
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => postGraphQL(at(i).url, REFRESH, { variables: { r: refreshToken } })));
    const successors = new Set(responses.map((response) => response.body.data?.refresh?.refreshToken).filter(Boolean));
    expect(successors.size).toBe(1);
    // The one successor carries on, on any process.
    const [successor] = [...successors];
    expect((await postGraphQL(at(1).url, REFRESH, { variables: { r: successor } })).body.data.refresh.refreshToken).toMatch(/^cgr_/);
  });

  it("reuse of an older refresh token on another process ends the session on every process", async () => {
    const first = (await postGraphQL(at(0).url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } })).body.data.login;
    const second = (await postGraphQL(at(1).url, REFRESH, { variables: { r: first.refreshToken } })).body.data.refresh;
    const third = (await postGraphQL(at(2).url, REFRESH, { variables: { r: second.refreshToken } })).body.data.refresh;
    const reused = await postGraphQL(at(1).url, REFRESH, { variables: { r: first.refreshToken } });
    const since = Date.now();
    expect(reused.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_REUSED" });
    const afterTheft = await postGraphQL(at(0).url, REFRESH, { variables: { r: third.refreshToken } });
    expect(afterTheft.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_INVALID" });
    expect(await refusedEverywhere(third.accessToken, since)).toBeLessThanOrEqual(REFUSED_WITHIN_MS);
  });

  it("login throttling counts guesses across processes: 30 concurrent guesses verify at most 5 passwords", async () => {
    const email = "target@example.com";
    await postGraphQL(at(0).url, REGISTER, { variables: { e: email, p: "target-password-1" } });
    const before = await passwordVerifications();
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => postGraphQL(at(i).url, LOGIN, { variables: { e: email, p: `guess-${i}` } })),
    );
    expect(await passwordVerifications()).toBeLessThanOrEqual(before + 5);
    expect(guesses.filter((g) => g.status === 429).length).toBeGreaterThanOrEqual(25);
    // Locked on every process, even with the right password.
    for (const p of processes) {
      const locked = await postGraphQL(p.url, LOGIN, { variables: { e: email, p: "target-password-1" } });
      expect(locked.status).toBe(429);
      expect(locked.body.errors![0]!.extensions).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "LOGIN_THROTTLED" });
    }
  });

  it.skipIf(!onPostgres)("a subscriber on one process hears posts published through the others, each once [PostgreSQL: pushed]", async () => {
    const login = async (p: ServerProcess) =>
      (await postGraphQL(p.url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } })).body.data.login.accessToken as string;
    const token = await login(at(1));
    const socket = openSocket(at(1).url, token);
    await socket.connected;
    const received = socket.subscribe(`subscription { postPublished { id title } }`);
    const publish = async (p: ServerProcess, title: string) =>
      (await postGraphQL(p.url, `mutation ($t: String!) { createPost(input: { title: $t, body: "b" }) { id } }`, { variables: { t: title }, token })).body.data
        .createPost.id as string;
    // The subscription is in place once a post reaches it; until then, keep publishing through another process.
    const warmups: string[] = [];
    const first = received.next();
    while ((await Promise.race([first.then(() => "heard"), new Promise((resolve) => setTimeout(resolve, 200, "waiting"))])) === "waiting") {
      warmups.push(await publish(at(0), `warm-up ${warmups.length}`));
      expect(warmups.length).toBeLessThan(50);
    }
    // Anything after the first heard warm-up is one of the warm-ups too; take them all.
    for (let heard = (await first).data.postPublished.id; heard !== warmups.at(-1); heard = (await received.next()).data.postPublished.id) {
      expect(warmups).toContain(heard);
    }
    // One through each process, the subscriber's own included: each arrives once. Across processes
    // the order is the order of arrival (README "Scaling out"): the subscriber's own process hears
    // its post at once and the others' a notification later, so only the set is compared.
    const ids = [await publish(at(2), "from two"), await publish(at(1), "from one"), await publish(at(0), "from zero")];
    const heard = [];
    for (let i = 0; i < ids.length; i++) heard.push((await received.next()).data.postPublished.id);
    expect(heard.toSorted()).toEqual(ids.toSorted());
    // From one process, in order; and nothing else arrives (no second copy of any of the three).
    const last = [await publish(at(2), "last but one"), await publish(at(2), "last")];
    expect([(await received.next()).data.postPublished.id, (await received.next()).data.postPublished.id]).toEqual(last);
    received.stop();
    await socket.dispose();
  });
});

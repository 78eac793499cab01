// `node --import tsx bench/login-steps.ts [sqlite|postgres ...]`: where a login's time goes, step
// by step, in-process against a real database (a SQLite file in a temp dir; PostgreSQL in a
// throwaway cluster). Starts the real server in this process, then times (1) each database and
// token step a login runs, called one after another as login calls them, (2) the whole
// `accounts.login` in-process, next to one Argon2id verification alone, and (3) a login over HTTP.
// Medians of N rounds, each step preceded by a short pause as between real logins.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { benchEnv } from "./auth-bench.js";
import { issueDeviceToken, newDeviceId, verifyDeviceToken } from "../src/auth/device-token.js";
import { LoginThrottle } from "../src/auth/login-throttle.js";
import { hashPassword, verifyPassword } from "../src/auth/passwords.js";
import { hashRefreshToken } from "../src/auth/refresh-token.js";
import { loadConfiguredKeyRing } from "../src/auth/configured-key-ring.js";
import { parseConfig } from "../src/config/parse-config.js";
import { directSql, sql } from "../src/db/direct-sql.js";
import { startSession } from "../src/db/session-start.js";
import { findUserByEmail } from "../src/db/user-by-email.js";
import { startThrowawayCluster } from "../src/db/throwaway-postgres.js";
import { tokenClaimsOf } from "../src/domain/roles.js";
import { startServer } from "../src/server/start-server.js";
import { median } from "./stats.js";

const ROUNDS = Number(process.env["STEP_ROUNDS"] ?? 60);
const EMAIL = "alice@example.com";
const PASSWORD = "alice-password-123";
const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

type Timings = Map<string, number[]>;
async function timed<T>(timings: Timings, name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  const list = timings.get(name) ?? [];
  list.push(performance.now() - start);
  timings.set(name, list);
  return result;
}

async function measure(databaseUrl: string | null): Promise<Timings> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-steps-"));
  const env: Record<string, string> = {
    ...benchEnv(dataDir, randomBytes(48).toString("base64url")),
    PORT: "0",
    LOG_LEVEL: "silent",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const config = parseConfig(env);
  // The server's own log: each login_succeeded says its duration and its Argon2id wait.
  const logLines: string[] = [];
  const server = await startServer({ config, logger: pino({ level: "info" }, { write: (line: string) => void logLines.push(line) }) });
  const { db, accounts, sessions } = server.services;
  const keys = await loadConfiguredKeyRing(config);
  const devices = { keys, issuer: config.tokens.issuer, ttlSeconds: config.deviceTokenTtlSeconds };
  const throttle = new LoginThrottle({ db, policy: config.loginThrottle, clock: () => new Date() });
  const hash = await hashPassword(PASSWORD);
  const client = { ip: "127.0.0.1", userAgent: "bench" };
  const timings: Timings = new Map();
  try {
    const device = await issueDeviceToken({ ...devices, identity: { userId: (await findUserByEmail(db, EMAIL))!.id, deviceId: newDeviceId() }, now: new Date() });
    for (let round = -5; round < ROUNDS; round++) {
      const t: Timings = round < 0 ? new Map() : timings;
      const now = new Date();
      await pause();
      const user = (await timed(t, "read user by email", () => findUserByEmail(db, EMAIL)))!;
      await pause();
      await timed(t, "verify a device token (when presented)", () => verifyDeviceToken(device, { ...devices, now }));
      await pause();
      const reservation = await timed(t, "reserve 3 throttle counters", () => throttle.reserve({ email: EMAIL, ip: client.ip, deviceId: null }));
      await pause();
      await timed(t, "reserve + read user in one step (as login runs them)", () =>
        throttle.reserveFindingUser({ email: EMAIL, ip: client.ip, deviceId: null }).then(({ reservation: r }) => r.release()),
      );
      await pause();
      await timed(t, "Argon2id verification (thread pool)", () => verifyPassword(hash, PASSWORD));
      await pause();
      const prepared = await timed(t, "prepare: read roles + sign the access token (hidden under Argon2id)", () => sessions.prepare(user, client));
      await pause();
      await timed(t, "  of which read roles", () => tokenClaimsOf(db, user));
      await pause();
      await timed(t, "sign a device token (hidden under Argon2id)", () => issueDeviceToken({ ...devices, identity: { userId: user.id, deviceId: newDeviceId() }, now }));
      await pause();
      await timed(t, "start: give back + epoch check + session + refresh token", () =>
        startSession(db, {
          sessionId: prepared.tokens.sessionId,
          userId: user.id,
          userAgent: "bench",
          ip: client.ip,
          now,
          expiresAt: prepared.expiresAt,
          tokenHash: hashRefreshToken(prepared.tokens.refreshToken),
          credentialEpoch: user.credentialEpoch,
          releasing: reservation.counters,
        }),
      );
      await pause();
      await timed(t, "a trivial statement (SELECT 1) through directSql", async () => (await directSql(db)).rows(sql`SELECT 1 AS "one"`));
      await pause();
      await timed(t, "accounts.login, in-process (whole)", () => accounts.login(EMAIL, PASSWORD, client, null));
      await pause();
      await timed(t, "  Argon2id alone, right after", () => verifyPassword(hash, PASSWORD));
      await pause();
      await timed(t, "login over HTTP (client in this process)", async () => {
        const response = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `mutation { login(email: "${EMAIL}", password: "${PASSWORD}") { refreshToken } }` }),
        });
        const body = (await response.json()) as { data?: { login?: unknown } };
        if (!body.data?.login) throw new Error(`login failed: ${JSON.stringify(body)}`);
      });
      await pause();
      await timed(t, "  Argon2id alone, right after ", () => verifyPassword(hash, PASSWORD));
    }
    const logins = logLines.map((line) => JSON.parse(line) as { event?: string; durationMs?: number; passwordCheckMs?: number }).filter((line) => line.event === "login_succeeded");
    // Warm-up logins first: they are not counted.
    timings.set(
      "login's own time beyond its Argon2id wait (server log, all logins)",
      logins.slice(10).map((line) => line.durationMs! - line.passwordCheckMs!),
    );
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return timings;
}

const kinds = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["sqlite", "postgres"]) as ("sqlite" | "postgres")[];
const loadAtStart = loadavg()[0]!;
const results = new Map<string, Timings>();
let cluster: Awaited<ReturnType<typeof startThrowawayCluster>> | null = null;
try {
  for (const kind of kinds) {
    let url: string | null = null;
    if (kind === "postgres") {
      cluster ??= await startThrowawayCluster();
      const admin = new pg.Client(cluster.urlFor("postgres"));
      await admin.connect();
      await admin.query(`CREATE DATABASE "steps_${results.size}"`);
      await admin.end();
      url = cluster.urlFor(`steps_${results.size}`);
    }
    results.set(kind, await measure(url));
  }
} finally {
  await cluster?.destroy();
}
const names = [...new Set([...results.values()].flatMap((timings) => [...timings.keys()]))];
const header = ["step (median ms of " + ROUNDS + ")", ...kinds];
const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
for (const name of names) lines.push(`| ${name} | ${kinds.map((kind) => { const list = results.get(kind)!.get(name); return list ? median(list).toFixed(3) : ""; }).join(" | ")} |`);
for (const kind of kinds) {
  const t = results.get(kind)!;
  const over = (a: string, b: string) => (median(t.get(a)!) - median(t.get(b)!)).toFixed(2);
  lines.push(`\n${kind}: service-side overhead (login's time minus its own Argon2id wait) ${median(t.get("login's own time beyond its Argon2id wait (server log, all logins)")!).toFixed(2)} ms; in-process login over Argon2id ${over("accounts.login, in-process (whole)", "  Argon2id alone, right after")} ms; HTTP login over Argon2id ${over("login over HTTP (client in this process)", "  Argon2id alone, right after ")} ms`);
}
lines.push(`\nload average (1 min): ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end, on 2 cores`);
process.stdout.write(`${lines.join("\n")}\n`);

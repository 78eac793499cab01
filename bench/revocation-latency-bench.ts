// 9. Cross-process revocation latency: two real server processes on one database; a session
//    is ended through one, and the other is polled until it refuses the session's access token.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postGraphQL, type ServerProcess, startServerProcess } from "../test/support/server-process.js";
import { format, percentile, table } from "./stats.js";

export interface RevocationLatencyOptions {
  trials: number;
  /** Trials run at once (each with its own session). */
  concurrency: number;
  /** How often the other process is asked (ms): the resolution of every number. */
  pollMs: number;
  /** Another database than a fresh SQLite file, e.g. postgres://… for the PostgreSQL run. */
  databaseUrl?: string;
  /** Extra environment for both processes (REVOCATION_SYNC_INTERVAL, …). */
  env?: Record<string, string>;
}

export interface RevocationLatency {
  table: string;
  p50: number;
  p99: number;
  max: number;
}

const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;
const LOGOUT = `mutation ($r: String!) { logout(refreshToken: $r) }`;
const ME = "{ me { email } }";

/**
 * Milliseconds from the logout's response (the session is ended in the database) to the first
 * refusal by the other process. Each trial waits a random part of a sync interval first, so the
 * logouts land at every phase of the other process's poll.
 */
export async function benchRevocationLatency(options: RevocationLatencyOptions): Promise<RevocationLatency> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-bench-revocation-"));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    SEED_DEMO_USERS: "true",
    // startServerProcess waits for the server_started line, logged at info.
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const processes: ServerProcess[] = [];
  const latencies: number[] = [];
  try {
    // One after the other: the first migrates and seeds, the second finds both done.
    processes.push(await startServerProcess(env));
    processes.push(await startServerProcess(env));
    const [a, b] = processes as [ServerProcess, ServerProcess];
    const syncMs = 1000 * Number(/^(\d+(?:\.\d+)?)s$/.exec(env["REVOCATION_SYNC_INTERVAL"] ?? "2s")?.[1] ?? 2);
    let started = 0;
    const trial = async () => {
      const login = await postGraphQL(a.url, LOGIN, { variables: { e: "alice@example.com", p: "alice-password-123" } });
      const { accessToken, refreshToken } = login.body.data.login;
      if ((await postGraphQL(b.url, ME, { token: accessToken })).body.data?.me?.email !== "alice@example.com") throw new Error("the other process refused a fresh token");
      await sleep(Math.random() * syncMs);
      const ended = await postGraphQL(a.url, LOGOUT, { variables: { r: refreshToken } });
      if (ended.body.data?.logout !== true) throw new Error(`logout failed: ${JSON.stringify(ended.body)}`);
      const loggedOutAt = performance.now();
      for (;;) {
        const { body } = await postGraphQL(b.url, ME, { token: accessToken });
        if (body.errors?.some((error) => error.extensions?.code === "UNAUTHENTICATED")) break;
        if (performance.now() - loggedOutAt > 10 * syncMs + 10_000) throw new Error("the other process kept accepting an ended session's token");
        await sleep(options.pollMs);
      }
      latencies.push(performance.now() - loggedOutAt);
    };
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (started++ < options.trials) await trial();
      }),
    );
  } finally {
    await Promise.all(processes.map((process) => process.stop()));
    if (!options.databaseUrl) await rm(dataDir, { recursive: true, force: true });
  }
  const [p50, p99, max] = [percentile(latencies, 50), percentile(latencies, 99), Math.max(...latencies)];
  const database = options.databaseUrl ? options.databaseUrl.replace(/\/\/[^@/]*@/, "//") : "SQLite (one file)";
  return {
    table: table(
      ["database", "sync interval", "trials", "p50 (ms)", "p99 (ms)", "max (ms)"],
      [[database, /^postgres/.test(options.databaseUrl ?? "") ? "pushed (poll every 30 s as a fallback)" : (options.env?.["REVOCATION_SYNC_INTERVAL"] ?? "2s (default)"), String(latencies.length), format(p50), format(p99), format(max)]],
    ),
    p50,
    p99,
    max,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

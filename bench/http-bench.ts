// 3. Over HTTP: server CPU time per request and latency percentiles for an authenticated query,
//    against a bare Apollo Server serving the same schema without authorization, alternately.
// 4. login latency (Argon2id time and the rest, separately) and refresh throughput on SQLite
//    (measured by auth-bench.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";
import { type AuthMeasures, benchEnv, measureAuth } from "./auth-bench.js";
import { median, percentile, table } from "./stats.js";

const CLOCK_TICKS_PER_SECOND = 100;

export interface Child {
  url: string;
  process: ChildProcess;
  /** CPU seconds the process has used so far (user + system). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** A port nobody listens on now: fixed ports collide with other checkouts benchmarking on the same machine. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `entry` of the checkout at `root` (this one by default) and waits for /healthz. */
export async function spawnServer(
  entry: string,
  env: Record<string, string>,
  port: number,
  options: { nodeArgs?: readonly string[]; root?: string; /** The server's log lines (stdout), when wanted. */ onLogLine?: (line: string) => void } = {},
): Promise<Child> {
  const root = options.root ?? PROJECT_ROOT;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", join(root, entry)], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", options.onLogLine ? "pipe" : "ignore", "inherit"],
  });
  if (options.onLogLine) {
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line) options.onLogLine!(line);
    });
  }
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 300 || child.exitCode !== null) throw new Error(`${entry} did not start`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `${base}/graphql`,
    process: child,
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

export async function post(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** Sends `total` requests with `concurrency` in flight; returns per-request latencies in ms. */
export async function load(total: number, concurrency: number, send: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const start = performance.now();
        await send();
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies;
}

const QUERY = "{ posts(first: 100) { id title body secretNote } }";

export interface HttpResults {
  http: string;
  auth: string;
  /** Server CPU per authenticated request relative to the bare Apollo Server. */
  cpuRatio: number;
  loginOverheadMs: number;
  refreshPerSecondConcurrent: number;
  refreshCpuMicros: number;
}

async function benchHttp(options: { rounds: number; requestsPerRound: number; concurrency: number }): Promise<Pick<HttpResults, "http" | "cpuRatio">> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-bench-"));
  const env = benchEnv(dataDir, randomBytes(48).toString("base64url"));

  const real = await spawnServer("src/main.ts", env, await freePort());
  let bare: Child | undefined;
  try {
    const login = await post(real.url, `mutation { login(email: "alice@example.com", password: "alice-password-123") { accessToken } }`);
    const token = login.data.login.accessToken as string;
    for (let i = 0; i < 98; i++) {
      await post(real.url, `mutation ($t: String!) { createPost(input: { title: $t, body: "…", secretNote: "n" }) { id } }`, { t: `Post ${i}` }, token);
    }
    bare = await spawnServer("bench/bare-server.ts", { ...env, SEED_DEMO_USERS: "false" }, await freePort());
    const check = await post(real.url, QUERY, undefined, token);
    if (check.errors || check.data.posts.length !== 100) throw new Error("the authenticated query must return 100 posts with no error");

    const servers = [
      { name: "claimgate (Express, Apollo, context, token, @requiresClaims, SQLite)", child: real, send: () => post(real.url, QUERY, undefined, token) },
      { name: "bare Apollo Server, same schema, no authorization", child: bare, send: () => post(bare!.url, QUERY) },
    ];
    for (const server of servers) await load(300, options.concurrency, server.send); // warm-up
    const cpu = new Map(servers.map((server) => [server.name, [] as number[]]));
    const latency = new Map(servers.map((server) => [server.name, [] as number[]]));
    for (let round = 0; round < options.rounds; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const before = server.child.cpuSeconds();
        latency.get(server.name)!.push(...(await load(options.requestsPerRound, options.concurrency, server.send)));
        cpu.get(server.name)!.push(((server.child.cpuSeconds() - before) * 1e6) / options.requestsPerRound);
      }
    }
    const bareCpu = median(cpu.get(servers[1]!.name)!);
    const httpRows = servers.map((server) => {
      const lat = latency.get(server.name)!;
      const us = median(cpu.get(server.name)!);
      return [server.name, us, `${(us / bareCpu).toFixed(2)}x`, percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)];
    });
    const httpTable = table(
      [`server (${options.concurrency} concurrent clients, 100 posts per response)`, "server CPU µs / request", "CPU vs bare", "p50 ms", "p95 ms", "p99 ms"],
      httpRows,
    );

    return { http: httpTable, cpuRatio: median(cpu.get(servers[0]!.name)!) / bareCpu };
  } finally {
    await Promise.all([real.stop(), bare?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** 4. Login and refresh on SQLite, on a server of their own (section 3's has served thousands of large responses). */
export async function benchHttpAndAuth(options: { rounds: number; requestsPerRound: number; concurrency: number }): Promise<HttpResults> {
  const http = await benchHttp(options);
  const auth = await benchAuthOn(null);
  return { ...http, auth: auth.table, loginOverheadMs: auth.loginOverheadMs, refreshPerSecondConcurrent: auth.refreshPerSecondConcurrent, refreshCpuMicros: auth.refreshCpuMicros };
}

const AUTH_LOAD = { logins: 20, sequentialRefreshes: 300, refreshesPerClient: 150 };

function authTableOf(auth: AuthMeasures): string {
  return table(
    ["measure", "value"],
    [
      ["login, median over HTTP (ms)", median(auth.logins)],
      ["  of which Argon2id verification (ms, measured alone, one between each two logins)", auth.argonMs],
      ["  everything else (ms)", median(auth.logins) - auth.argonMs],
      ["  of which the HTTP round trip of a trivial query (ms)", auth.floorMs],
      ["refresh, one client, sequential (per second)", auth.refreshSequentialPerSecond],
      ["refresh, 10 concurrent clients (per second; logins before the clock starts)", auth.refreshConcurrentPerSecond],
      ["  server CPU per refresh (µs)", auth.refreshCpuMicros],
    ],
  );
}

export interface AuthOnDatabase {
  table: string;
  loginOverheadMs: number;
  refreshPerSecondConcurrent: number;
  refreshCpuMicros: number;
}

/**
 * Section 4's login and refresh measures against a fresh server, on SQLite (null) or another
 * database (PostgreSQL): a warm-up, then three rounds, each measure the median of the rounds.
 */
export async function benchAuthOn(databaseUrl: string | null): Promise<AuthOnDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-bench-"));
  const env = benchEnv(dataDir, randomBytes(48).toString("base64url"));
  const real = await spawnServer("src/main.ts", databaseUrl ? { ...env, DATABASE_URL: databaseUrl } : env, await freePort());
  try {
    await measureAuth(real, { logins: 5, sequentialRefreshes: 50, refreshesPerClient: 30 });
    const rounds: AuthMeasures[] = [];
    for (let round = 0; round < 3; round++) rounds.push(await measureAuth(real, AUTH_LOAD));
    const pick = (of: (m: AuthMeasures) => number) => median(rounds.map(of));
    const auth: AuthMeasures = {
      logins: rounds.flatMap((m) => m.logins),
      argonMs: pick((m) => m.argonMs),
      floorMs: pick((m) => m.floorMs),
      refreshSequentialPerSecond: pick((m) => m.refreshSequentialPerSecond),
      refreshConcurrentPerSecond: pick((m) => m.refreshConcurrentPerSecond),
      refreshCpuMicros: pick((m) => m.refreshCpuMicros),
    };
    return {
      table: authTableOf(auth),
      // As section 4's table shows it: the median of every login less the median verification.
      loginOverheadMs: median(auth.logins) - auth.argonMs,
      refreshPerSecondConcurrent: auth.refreshConcurrentPerSecond,
      refreshCpuMicros: auth.refreshCpuMicros,
    };
  } finally {
    await real.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

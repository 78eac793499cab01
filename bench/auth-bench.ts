// 4. Login and refresh over HTTP against a real server: login latency (next to the Argon2id
//    verification alone), refresh throughput from one client and from 10 concurrent clients, and
//    the server's CPU per refresh (refreshes are sent by a lean keep-alive client; see refreshChain). Used by http-bench.ts (`npm run bench`) and by
//    auth-compare.ts (this checkout against an older one, alternately, in one run).
import { hashPassword, verifyPassword } from "../src/auth/passwords.js";
import { type Child, load, post } from "./http-bench.js";
import { RawHttpClient } from "./raw-http-client.js";
import { median } from "./stats.js";

export const LOGIN = `mutation { login(email: "alice@example.com", password: "alice-password-123") { refreshToken } }`;
export const REFRESH = `mutation ($r: String!) { refresh(refreshToken: $r) { refreshToken } }`;

/** Environment for a bench server: demo users, and login limits no bench run can reach. */
export const benchEnv = (dataDir: string, secret: string) => ({
  NODE_ENV: "test",
  DATA_DIR: dataDir,
  JWT_SECRET: secret,
  LOG_LEVEL: "warn",
  SEED_DEMO_USERS: "true",
  LOGIN_ACCOUNT_FAILURES: "1000",
  LOGIN_IP_FAILURES: "100000",
  LOGIN_PAIR_FAILURES: "1000",
});

export interface AuthMeasures {
  /** Login latencies over HTTP, one at a time (ms). */
  logins: number[];
  /**
   * The Argon2id verification alone in this process, one between each two logins (ms, median):
   * measured in the same conditions as the server's (after a pause, caches cold), where a tight
   * loop of verifications runs about a third faster than any single one inside a login.
   */
  argonMs: number;
  /** A trivial query's round trip (ms): the floor under every HTTP measure. */
  floorMs: number;
  refreshSequentialPerSecond: number;
  refreshConcurrentPerSecond: number;
  /** Server CPU (all threads, from /proc) per refresh with 10 concurrent clients (µs). */
  refreshCpuMicros: number;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
let demoHash: Promise<string> | undefined;

/**
 * Logins one at a time, each followed by one Argon2id verification in this process (both in ms).
 * Like the refreshes, they go through RawHttpClient: what a login costs beyond Argon2id is the
 * server's work, and fetch's own (about 1 ms a request here, see RESULTS section 4) would be
 * counted in it.
 */
export async function loginsWithArgon(url: string, count: number): Promise<{ logins: number[]; argon: number[] }> {
  demoHash ??= hashPassword("alice-password-123");
  const hash = await demoHash;
  const logins: number[] = [];
  const argon: number[] = [];
  const client = await RawHttpClient.connect(url);
  try {
    for (let i = 0; i < count; i++) {
      let start = performance.now();
      const response = await client.post(JSON.stringify({ query: LOGIN }));
      logins.push(performance.now() - start);
      if (!(JSON.parse(response.body) as { data?: { login?: unknown } }).data?.login) throw new Error(`login failed: ${response.body}`);
      await pause();
      start = performance.now();
      await verifyPassword(hash, "alice-password-123");
      argon.push(performance.now() - start);
      await pause();
    }
  } finally {
    client.close();
  }
  return { logins, argon };
}

/** Round trips of a trivial query, one after another, through the same client as the logins (ms). */
async function trivialRoundTrips(url: string, count: number): Promise<number[]> {
  const client = await RawHttpClient.connect(url);
  try {
    return await load(count, 1, () => client.post(JSON.stringify({ query: "{ viewer { authenticated } }" })));
  } finally {
    client.close();
  }
}

/**
 * One client refreshing `count` times in a row on its own keep-alive connection. It speaks HTTP
 * through RawHttpClient, not fetch: on two shared cores the load generator's own CPU decides how
 * busy the server can get, and fetch's was several times the server's per request.
 */
async function refreshChain(url: string, first: string, count: number): Promise<string> {
  const client = await RawHttpClient.connect(url);
  try {
    let refreshToken = first;
    for (let i = 0; i < count; i++) {
      const response = await client.post(JSON.stringify({ query: REFRESH, variables: { r: refreshToken } }));
      const result = JSON.parse(response.body) as { data?: { refresh?: { refreshToken: string } }; errors?: unknown };
      if (!result.data?.refresh) throw new Error(`refresh failed: ${JSON.stringify(result.errors)}`);
      refreshToken = result.data.refresh.refreshToken;
    }
    return refreshToken;
  } finally {
    client.close();
  }
}

const loginFor = async (url: string) => (await post(url, LOGIN)).data.login.refreshToken as string;

/**
 * Logins come first and outside the refresh timings: each chain's login (an Argon2id
 * verification) would otherwise be counted as refresh time and refresh CPU.
 */
export async function measureAuth(server: Child, options: { logins: number; sequentialRefreshes: number; refreshesPerClient: number }): Promise<AuthMeasures> {
  const { url } = server;
  const { logins, argon } = await loginsWithArgon(url, options.logins);
  const floor = await trivialRoundTrips(url, 200);

  const single = await loginFor(url);
  const sequentialStart = performance.now();
  await refreshChain(url, single, options.sequentialRefreshes);
  const refreshSequentialPerSecond = options.sequentialRefreshes / ((performance.now() - sequentialStart) / 1000);

  const firsts: string[] = [];
  for (let i = 0; i < 10; i++) firsts.push(await loginFor(url));
  const cpuBefore = server.cpuSeconds();
  const parallelStart = performance.now();
  await Promise.all(firsts.map((first) => refreshChain(url, first, options.refreshesPerClient)));
  const total = 10 * options.refreshesPerClient;
  const refreshConcurrentPerSecond = total / ((performance.now() - parallelStart) / 1000);
  const refreshCpuMicros = ((server.cpuSeconds() - cpuBefore) * 1e6) / total;
  return { logins, argonMs: median(argon), floorMs: median(floor), refreshSequentialPerSecond, refreshConcurrentPerSecond, refreshCpuMicros };
}

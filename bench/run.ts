// `npm run bench`: measures what authorization costs, prints a Markdown report and writes it to
// bench/RESULTS.md. About four minutes on two cores. Numbers vary by ±20 % between runs on
// shared machines, so compare the ratios taken within one run.
import { execSync } from "node:child_process";
import { parseArgs } from "node:util";
import { cpus, loadavg, totalmem } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";
import { benchExecute } from "./execute-bench.js";
import { benchDirectiveCurve, benchFullSync, benchMemory } from "./growth-bench.js";
import { benchRevocationLatency } from "./revocation-latency-bench.js";
import { benchAuthOn, benchHttpAndAuth } from "./http-bench.js";
import { runOnPostgres, type PostgresResults } from "./postgres-bench.js";
import { benchObjectRule, benchPreExecution } from "./object-rule-bench.js";
import { table } from "./stats.js";
import { benchTokens } from "./token-bench.js";
import { benchSockets } from "./socket-bench.js";

// --database-url (or BENCH_DATABASE_URL) runs the database-bound parts against another database
// than a fresh SQLite file, e.g. postgres://… once PostgreSQL is supported.
const { values: args } = parseArgs({
  options: { quick: { type: "boolean", default: false }, "database-url": { type: "string" }, "no-postgres": { type: "boolean", default: false } },
});
const quick = args.quick;
const databaseUrl = args["database-url"] ?? process.env["BENCH_DATABASE_URL"];
const AUTH_HOT_PATH = join(PROJECT_ROOT, "bench", "AUTH-HOT-PATH.md");
const AUTH_HOT_PATH_JSON = join(PROJECT_ROOT, "bench", "AUTH-HOT-PATH.json");
const started = Date.now();
// Other processes on a shared machine distort every number: the report states how busy it was.
const loadAtStart = loadavg()[0]!;
const section = (title: string, body: string) => `## ${title}\n\n${body}\n`;
const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** Why a target can be missed on this kind of machine; shown only for targets this run missed. */
const WHY: Record<string, string> = {
  inProcess:
    "Wrapping a resolver costs nothing measurable here (a pass-through wrapper runs level with the baseline); what remains is the claim check itself, about 0.1 µs per field over 101 fields, and run-to-run noise of a few points.",
  cold: "The cold path is one signature verification with node:crypto and jose's claim checks (src/auth/jwt-verifier.ts), plus what jose does not do: parsing the Bearer header, checking that sub, jti and sid are non-empty strings and iat is not in the future, the revocation lookup and the cache insertion. It is paid once per token and process.",
  login:
    "Besides Argon2id, a login reserves its throttle attempts while it reads the user (one step), and after a right password gives them back, re-checks the credential epoch and inserts the session and its first refresh token in one more step (one statement each on PostgreSQL); the roles read and both signatures run while Argon2id does. Inside the service that is about 0.8 ms beyond the verification on SQLite and 1.9 ms on PostgreSQL (the login_succeeded log line carries durationMs and passwordCheckMs; bench/login-steps.ts times each step): two short steps, each run cold, after the pause between logins and after the 10–12 ms the event loop idles during Argon2id; the rest is the HTTP round trip after that pause and the wake-ups of the Argon2id thread and of the event loop on a shared machine. On PostgreSQL each step is a network round trip to a database process idle for as long (a bare SELECT 1 after such a pause: about 0.5 ms here), and the verification runs slower while the database works on the other core; fewer than two round trips would mean verifying before reserving, which the throttle's guarantee does not allow.",
  refresh:
    "A refresh is a join, a three-statement transaction and the roles read on SQLite, one HMAC signature, a sealed successor and the GraphQL request around them, served on the lean path (src/server/lean-graphql-path.ts: Apollo's answer without Apollo's request pipeline, which cost about a quarter of the server's CPU per refresh) of a direct route on Node's own request and response (Express's prototypes cost another 13–20 %). What remains is spread thin: SQLite's statements are about a quarter, then Node's HTTP parsing and writing, graphql-js execution and the tokens; no frame of the profile stands above a few percent. The ratio is taken against the code before issue 14 side by side (section 11) with a lean load generator; the load generator shares the two cores, so it moves by ±10 % with what else runs on the machine.",
  http: "The server does more per request than the bare one (token check, directive, logging plugin).",
  preExecution:
    "The analysis walks the whole selection and coerces variables and arguments with graphql-js; the server caches it per document, token and variables, so a repeated mutation pays well under a microsecond.",
};


log("1/9 in-process execute (101 checks)…");
const execute = await benchExecute({ rounds: quick ? 3 : 15, opsPerRound: quick ? 100 : 300 });
log("2/9 object-level rule over 100 posts…");
const objectRule = await benchObjectRule({ rounds: quick ? 3 : 15, opsPerRound: quick ? 100 : 300 });
log("3/9 pre-execution analysis…");
const preExecution = await benchPreExecution({ iterations: quick ? 500 : 3000, rounds: quick ? 2 : 5 });
log("4/9 token to principal…");
const tokens = await benchTokens({ iterations: quick ? 500 : 2000, rounds: quick ? 2 : 5 });
log("5/9 HTTP, login and refresh (spawns two servers)…");
const http = await benchHttpAndAuth({ rounds: quick ? 2 : 6, requestsPerRound: quick ? 200 : 500, concurrency: 8 });
log("6/9 WebSocket: idle sockets and closing a revoked session's sockets…");
const sockets = await benchSockets({ sockets: quick ? 200 : 1000 });
log("7/9 growth: directive overhead by response size, memory of per-process structures (child processes)…");
const directiveCurve = await benchDirectiveCurve({ sizes: [10, 100, 1000, 10_000], budgetMs: quick ? 400 : 2000, rounds: quick ? 3 : 9 });
const memory = await benchMemory({ sizes: quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000], tokenCacheMeasuredUpTo: quick ? 10_000 : 100_000 });
log("8/9 growth: full revocation sync by number of ended sessions…");
const fullSync = await benchFullSync({ sizes: quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000], ...(databaseUrl ? { databaseUrl } : {}) });
log("9/9 revocation latency across two processes (spawns two servers)…");
const latency = await benchRevocationLatency({ trials: quick ? 10 : 50, concurrency: 5, pollMs: 10, ...(databaseUrl ? { databaseUrl } : {}) });

// 10. The same database-bound measures on PostgreSQL, in a throwaway cluster, when its binaries are installed.
let postgres: PostgresResults | null = null;
if (!databaseUrl && !args["no-postgres"]) {
  log("10 PostgreSQL: login, refresh, revocation latency, full sync (throwaway cluster)…");
  postgres = await runOnPostgres({ quick, benchAuthOn, benchRevocationLatency, benchFullSync });
  if (!postgres) log("10 skipped: PostgreSQL's binaries are not installed (apt-get install postgresql)");
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    return "unknown";
  }
})();
const report = [
  `# claimgate benchmark results\n`,
  `Machine: ${machine}. Commit ${commit}. Run took ${Math.round((Date.now() - started) / 1000)} s${quick ? " (--quick)" : ""}. ` +
    `Load average (1 min) ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end, on ${cpus().length} cores` +
    (Math.max(loadAtStart, loadavg()[0]!) > cpus().length
      ? ": above the core count, other processes were competing and every ratio is noisier than usual.\n"
      : " (below the core count: little else competed).\n"),
  section("Targets", targets()),
  section("1. In-process execute, 100 posts, 101 field checks", execute.table),
  section("2. Token to principal", tokens.table),
  section("3. Over HTTP: authenticated query", http.http),
  section("4. Login and refresh on SQLite", http.auth),
  section("5. Object-level \"author or admin\" over 100 posts", objectRule.table),
  section("6. Pre-execution analysis per operation (the server analyses mutations only)", preExecution.table),
  section("7. WebSocket connections", sockets.table),
  section(
    "8. How cost grows",
    [
      "Directive overhead by response size: the same schema with and without `@requiresClaims` (one guarded field per post plus the list), in-process `execute`.\n",
      directiveCurve.table,
      "\nMemory per process, measured in a fresh child process per point (`node --expose-gc`, heapUsed + arrayBuffers growth after full collections). " +
        "The verified-token cache is capped at 10,000 entries and 32 MiB by default; larger sizes are what it would cost uncapped.\n",
      memory.table,
      `\nFull revocation sync (what a starting or reconnecting process reads), ${databaseUrl ? "on the given database" : "on SQLite in a temp dir"}, 2,000 rows a page, the event loop free between pages:\n`,
      fullSync.table,
    ].join("\n"),
  ),
  section("9. Revocation latency across processes", `A session ended through one process; the other polled every 10 ms until it refuses the access token (5 trials at a time, each waiting a random part of the sync interval first).\n\n${latency.table}`),
  section(
    "10. PostgreSQL",
    postgres
      ? [
          `PostgreSQL ${postgres.version} in a throwaway cluster on this machine (fsync off), one database per measure; the same loads as on SQLite.\n`,
          "Login and refresh (section 4's measures):\n",
          postgres.auth.table,
          "\nRevocation latency across two processes (pushed by LISTEN/NOTIFY; the fallback poll is 30 s):\n",
          postgres.latency.table,
          "\nFull revocation sync by number of ended sessions:\n",
          postgres.fullSync.table,
        ].join("\n")
      : "Not run: PostgreSQL's binaries were not installed, or `--no-postgres`.",
  ),
  // Written by `npm run bench:compare-auth` (this checkout against an older one, in one run).
  ...(existsSync(AUTH_HOT_PATH) ? [readFileSync(AUTH_HOT_PATH, "utf8")] : []),
].join("\n");

process.stdout.write(`${report}\n`);
// RESULTS.md records the default run; a run on another database is printed only, to be recorded beside it.
if (!quick && !databaseUrl) writeFileSync(join(PROJECT_ROOT, "bench", "RESULTS.md"), report);

/** Each target with the number measured in this run, and by how much a missed one was missed. */
function targets(): string {
  const rows: [string, string, boolean, string][] = [];
  const missed = new Set<string>();
  const add = (name: string, measured: string, met: boolean, miss: string, why?: string) => {
    rows.push([name, measured, met, met ? "" : miss]);
    if (!met && why) missed.add(why);
  };
  add("in-process: directive ≥ 0.97x of baseline", `${execute.ratio.claimgate.toFixed(2)}x`, execute.ratio.claimgate >= 0.97, `${((0.97 - execute.ratio.claimgate) * 100).toFixed(0)} points short`, "inProcess");
  add(
    "in-process: faster than graphql-shield and generic-auth",
    `${execute.ratio.claimgate.toFixed(2)}x vs ${execute.ratio.shield.toFixed(2)}x / ${execute.ratio.genericAuth.toFixed(2)}x`,
    execute.ratio.claimgate > execute.ratio.shield && execute.ratio.claimgate > execute.ratio.genericAuth,
    "slower than a peer",
  );
  add(
    "object-level rule: faster than graphql-shield and generic-auth",
    `${objectRule.ratio.claimgate.toFixed(2)}x vs ${objectRule.ratio.shield.toFixed(2)}x / ${objectRule.ratio.genericAuth.toFixed(2)}x`,
    objectRule.ratio.claimgate > objectRule.ratio.shield && objectRule.ratio.claimgate > objectRule.ratio.genericAuth,
    "slower than a peer",
  );
  add("pre-execution analysis of createPost ≤ 100 µs (uncached)", `${preExecution.mutationMicros.toFixed(0)} µs`, preExecution.mutationMicros <= 100, `${(preExecution.mutationMicros - 100).toFixed(0)} µs over`, "preExecution");
  for (const [alg, result] of Object.entries(tokens.byAlgorithm)) {
    add(`${alg} warm token → principal ≤ 2 µs`, `${result.warm.toFixed(2)} µs`, result.warm <= 2, `${(result.warm - 2).toFixed(2)} µs over`);
    add(`${alg} cold ≤ one jose verification`, `${result.cold.toFixed(0)} vs ${result.jose.toFixed(0)} µs`, result.cold <= result.jose, `${((result.cold / result.jose - 1) * 100).toFixed(0)} % slower`, "cold");
  }
  add("HTTP: server CPU ≤ 1.10x bare Apollo", `${http.cpuRatio.toFixed(2)}x`, http.cpuRatio <= 1.1, `${((http.cpuRatio - 1.1) * 100).toFixed(0)} points over`, "http");
  // Issue 14: 2.5x what the same bench measured before its hot-path work. The ratio is taken side by
  // side by `npm run bench:compare-auth` (section 11); 1,500/s is the issue's estimate of it here.
  if (existsSync(AUTH_HOT_PATH_JSON)) {
    const hotPath = JSON.parse(readFileSync(AUTH_HOT_PATH_JSON, "utf8")) as { before: string; after: string; refreshConcurrentRatio: number };
    const ratio = hotPath.refreshConcurrentRatio;
    add(`refresh ≥ 2.5x before issue 14 (${hotPath.before} → ${hotPath.after}, side by side, section 11)`, `${ratio.toFixed(2)}x`, ratio >= 2.5, `${((1 - ratio / 2.5) * 100).toFixed(0)} % short`, "refresh");
  }
  add("refresh ≥ 1,500/s, 10 concurrent clients", `${http.refreshPerSecondConcurrent.toFixed(0)}/s`, http.refreshPerSecondConcurrent >= 1500, `${((1 - http.refreshPerSecondConcurrent / 1500) * 100).toFixed(0)} % short`, "refresh");
  add("server CPU per refresh ≤ 700 µs", `${http.refreshCpuMicros.toFixed(0)} µs`, http.refreshCpuMicros <= 700, `${(http.refreshCpuMicros - 700).toFixed(0)} µs over`, "refresh");
  add("login ≤ Argon2id + 2 ms", `+${http.loginOverheadMs.toFixed(1)} ms`, http.loginOverheadMs <= 2, `${(http.loginOverheadMs - 2).toFixed(1)} ms over`, "login");
  const million = memory.endedSessionsAtMillion;
  if (Number.isFinite(million)) add("1M ended sessions cost a process < 100 MB", `${(million / 2 ** 20).toFixed(1)} MiB`, million < 100 * 2 ** 20, "over");
  if (postgres) {
    const { auth, latency: pushed } = postgres;
    add("PostgreSQL: revocation across processes p99 ≤ 100 ms (pushed)", `${pushed.p99.toFixed(0)} ms`, pushed.p99 <= 100, `${(pushed.p99 - 100).toFixed(0)} ms over`);
    add("PostgreSQL: refresh, 10 concurrent clients (recorded beside SQLite)", `${auth.refreshPerSecondConcurrent.toFixed(0)}/s, ${auth.refreshCpuMicros.toFixed(0)} µs CPU each`, true, "");
    add("PostgreSQL: login ≤ Argon2id + 2 ms", `+${auth.loginOverheadMs.toFixed(1)} ms`, auth.loginOverheadMs <= 2, `${(auth.loginOverheadMs - 2).toFixed(1)} ms over`, "login");
  }
  const onPostgres = databaseUrl !== undefined && /^postgres(ql)?:/.test(databaseUrl);
  if (onPostgres) add("revocation across processes p99 ≤ 100 ms (PostgreSQL, pushed)", `${latency.p99.toFixed(0)} ms`, latency.p99 <= 100, `${(latency.p99 - 100).toFixed(0)} ms over`);
  else add("revocation across processes p99 ≤ sync interval (2 s, polled) + 250 ms", `${latency.p99.toFixed(0)} ms`, latency.p99 <= 2250, `${(latency.p99 - 2250).toFixed(0)} ms over`);
  const notes = [...missed].map((key) => `- ${WHY[key]}`).join("\n");
  return `${table(["target", "measured", "met", "missed by"], rows.map(([name, measured, met, miss]) => [name, measured, met ? "yes" : "no", miss]))}\n${notes ? `\nWhy the missed ones were missed:\n\n${notes}\n` : ""}`;
}

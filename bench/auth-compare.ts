// `npm run bench:compare-auth -- <older checkout>`: login and refresh of this checkout next to an
// older one (a `git archive` of another commit, with node_modules and the generated Prisma client
// in place), in one run: both servers run side by side and are measured alternately, so load
// from other processes hits both alike and the ratios stay meaningful on a shared machine. Then
// both are profiled (see profile-auth.ts). Writes bench/AUTH-HOT-PATH.md, which `npm run bench`
// copies into bench/RESULTS.md.
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";
import { type AuthMeasures, benchEnv, measureAuth } from "./auth-bench.js";
import { type Child, freePort, spawnServer } from "./http-bench.js";
import { profileAuth } from "./profile-auth.js";
import { median, table } from "./stats.js";

const baseRoot = process.argv[2] ? resolve(process.argv[2]) : null;
if (!baseRoot) {
  process.stderr.write("usage: npm run bench:compare-auth -- <older checkout folder>\n");
  process.exit(2);
}
const rounds = Number(process.env["COMPARE_ROUNDS"] ?? 3);
const log = (text: string) => process.stderr.write(`compare-auth: ${text}\n`);
const commitOf = (root: string) => {
  // A `git archive` has no .git: a COMMIT file in it may name what it was made from.
  if (existsSync(join(root, "COMMIT"))) return readFileSync(join(root, "COMMIT"), "utf8").trim();
  try {
    return execSync("git rev-parse --short HEAD", { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "an archive";
  }
};

const loadAtStart = loadavg()[0]!;
const dirs: string[] = [];
async function start(root: string): Promise<Child> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-compare-"));
  dirs.push(dataDir);
  return spawnServer("src/main.ts", benchEnv(dataDir, randomBytes(48).toString("base64url")), await freePort(), { root });
}
const before = await start(baseRoot);
const after = await start(PROJECT_ROOT);
const measures = { before: [] as AuthMeasures[], after: [] as AuthMeasures[] };
try {
  const options = { logins: 20, sequentialRefreshes: 200, refreshesPerClient: 100 };
  // Warm-up: JIT, statement caches, SQLite pages.
  await measureAuth(before, { logins: 5, sequentialRefreshes: 50, refreshesPerClient: 20 });
  await measureAuth(after, { logins: 5, sequentialRefreshes: 50, refreshesPerClient: 20 });
  for (let round = 0; round < rounds; round++) {
    log(`round ${round + 1}/${rounds}`);
    for (const which of round % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const)) {
      measures[which].push(await measureAuth(which === "before" ? before : after, options));
    }
  }
} finally {
  await Promise.all([before.stop(), after.stop()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
log("profiling both (two servers each, one after another)…");
const profileOptions = { logins: 150, refreshesPerClient: 200 };
const profileBefore = await profileAuth({ root: baseRoot, ...profileOptions });
const profileAfter = await profileAuth(profileOptions);

/** Measured once with Linux `perf` (see the report): what the V8 profile cannot show. */
const READING =
  "How to read the profiles: V8's sampler takes wall-clock samples of the main thread, so a native frame (`run`, `all`, `writev`) also absorbs the time the thread sat descheduled on a loaded machine, and the profiler's own overhead inflates every figure; read them as shares. A bare Node HTTP server answering the same requests from the same load generator costs about 20 µs of CPU per request here, so nearly all of a refresh's cost is above Node: Express (which POST /graphql now skips), Apollo's request pipeline (which the lean path now skips for JSON POSTs of valid documents), graphql-js, SQLite and the tokens.";
const argonMs = median([...measures.before, ...measures.after].map((m) => m.argonMs));
type Row = [string, (m: AuthMeasures) => number, "higher" | "lower"];
const rows: Row[] = [
  ["refresh, 10 concurrent clients (per second)", (m) => m.refreshConcurrentPerSecond, "higher"],
  ["server CPU per refresh (µs, all threads)", (m) => m.refreshCpuMicros, "lower"],
  ["refresh, one client, sequential (per second)", (m) => m.refreshSequentialPerSecond, "higher"],
  ["login, median over HTTP (ms)", (m) => median(m.logins), "lower"],
  [`login over Argon2id alone (about ${argonMs.toFixed(1)} ms here, measured between logins) (ms)`, (m) => median(m.logins) - m.argonMs, "lower"],
  ["HTTP round trip of a trivial query (ms)", (m) => m.floorMs, "lower"],
];
const comparison = table(
  ["measure (median of rounds)", `before (${commitOf(baseRoot)})`, `after (${commitOf(PROJECT_ROOT)})`, "after / before"],
  rows.map(([name, pick]) => {
    const b = median(measures.before.map(pick));
    const a = median(measures.after.map(pick));
    return [name, b, a, `${(a / b).toFixed(2)}x`];
  }),
);
const report = [
  `## 11. Login and refresh: before and after the hot-path work (issue 14)\n`,
  `Written by \`npm run bench:compare-auth\`: both servers ran side by side and were measured alternately, ${rounds} round${rounds === 1 ? "" : "s"}, ` +
    `on ${cpus().length} cores with a load average of ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end ` +
    `(other sessions share this machine, and the load generator shares its cores with the server): absolute numbers move by ±20 % ` +
    `from run to run, so read the ratios, which were taken within this one run.\n`,
  comparison,
  `\n### Where the time goes (CPU profile of the server's main thread, before)\n`,
  `Grouped by where the code lives; "our function" is inclusive but only of its synchronous part (time after an await is counted where it resumes). ` +
    `The profiler slows the server down, so these are shares, not the numbers above. Argon2id runs on libuv's thread pool, outside this thread, ` +
    `except its set-up (VerifyTask).\n`,
    `${READING}\n`,
  profileBefore.login,
  profileBefore.refresh,
  `\n### Where the time goes (after)\n`,
  profileAfter.login,
  profileAfter.refresh,
].join("\n");
writeFileSync(join(PROJECT_ROOT, "bench", "AUTH-HOT-PATH.md"), `${report}\n`);
// The ratios `npm run bench` checks its targets against (the "2.5x today's in the same bench").
const ratioOf = (pick: Row[1]) => median(measures.after.map(pick)) / median(measures.before.map(pick));
writeFileSync(
  join(PROJECT_ROOT, "bench", "AUTH-HOT-PATH.json"),
  `${JSON.stringify(
    {
      before: commitOf(baseRoot),
      after: commitOf(PROJECT_ROOT),
      refreshConcurrentRatio: ratioOf(rows[0]![1]),
      refreshCpuRatio: ratioOf(rows[1]![1]),
      loginOverheadMs: { before: median(measures.before.map(rows[4]![1])), after: median(measures.after.map(rows[4]![1])) },
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`${report}\n`);

// `node --import tsx bench/login-compare.ts <older checkout>`: login overhead over Argon2id of this
// checkout next to an older one (a `git archive` with node_modules and the generated Prisma
// clients in place, as for bench:compare-auth), on SQLite and on PostgreSQL, in one run: four
// servers (two checkouts × two databases, one throwaway cluster) run side by side and are measured
// round-robin, so load from other processes hits all alike. Per server and round: 20 logins one at
// a time over HTTP, each followed by one Argon2id verification in this process, and the round trip
// of a trivial query. Prints a Markdown table; writes nothing.
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { startThrowawayCluster } from "../src/db/throwaway-postgres.js";
import { PROJECT_ROOT } from "../src/project-root.js";
import { benchEnv, loginsWithArgon } from "./auth-bench.js";
import { type Child, freePort, load, post, spawnServer } from "./http-bench.js";
import { median, table } from "./stats.js";

const baseRoot = process.argv[2] ? resolve(process.argv[2]) : null;
if (!baseRoot) {
  process.stderr.write("usage: node --import tsx bench/login-compare.ts <older checkout folder>\n");
  process.exit(2);
}
const rounds = Number(process.env["COMPARE_ROUNDS"] ?? 5);
const loginsPerRound = Number(process.env["COMPARE_LOGINS"] ?? 20);
const log = (text: string) => process.stderr.write(`login-compare: ${text}\n`);
const commitOf = (root: string) => {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "an archive";
  }
};

interface Measure {
  loginMs: number;
  argonMs: number;
  floorMs: number;
  /** From the server's login_succeeded lines: the login's time in the service, and its own Argon2id wait. */
  serviceMs: number;
  serverArgonMs: number;
}

interface LoginLine {
  event?: string;
  durationMs?: number;
  passwordCheckMs?: number;
}

const loadAtStart = loadavg()[0]!;
const cluster = await startThrowawayCluster();
const dirs: string[] = [];
const servers: { name: string; child: Child; measures: Measure[]; logins: LoginLine[] }[] = [];
try {
  let databases = 0;
  const freshDatabase = async () => {
    const name = `compare_${++databases}`;
    const admin = new pg.Client(cluster.urlFor("postgres"));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    return cluster.urlFor(name);
  };
  for (const [checkout, root] of [["before", baseRoot], ["after", PROJECT_ROOT]] as const) {
    for (const database of ["SQLite", "PostgreSQL"] as const) {
      const dataDir = await mkdtemp(join(tmpdir(), "claimgate-login-compare-"));
      dirs.push(dataDir);
      // Logs as JSON lines at info: each login_succeeded says how long the login took in the
      // service and how long it waited for Argon2id (an older checkout without those fields is
      // measured over HTTP only).
      const env = {
        ...benchEnv(dataDir, randomBytes(48).toString("base64url")),
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
        ...(database === "PostgreSQL" ? { DATABASE_URL: await freshDatabase() } : {}),
      };
      const logins: LoginLine[] = [];
      const onLogLine = (line: string) => {
        if (!line.includes('"login_succeeded"')) return;
        logins.push(JSON.parse(line) as LoginLine);
      };
      servers.push({ name: `${database}, ${checkout} (${commitOf(root)})`, child: await spawnServer("src/main.ts", env, await freePort(), { root, onLogLine }), measures: [], logins });
    }
  }
  // Warm-up: JIT, statement caches, connections.
  for (const server of servers) await loginsWithArgon(server.child.url, 5);
  for (let round = 0; round < rounds; round++) {
    log(`round ${round + 1}/${rounds}`);
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const seen = server.logins.length;
      const { logins, argon } = await loginsWithArgon(server.child.url, loginsPerRound);
      const floor = await load(50, 1, () => post(server.child.url, "{ viewer { authenticated } }"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const lines = server.logins.slice(seen).filter((line) => line.durationMs !== undefined && line.passwordCheckMs !== undefined);
      server.measures.push({
        loginMs: median(logins),
        argonMs: median(argon),
        floorMs: median(floor),
        serviceMs: lines.length > 0 ? median(lines.map((line) => line.durationMs! - line.passwordCheckMs!)) : Number.NaN,
        serverArgonMs: lines.length > 0 ? median(lines.map((line) => line.passwordCheckMs!)) : Number.NaN,
      });
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.child.stop()));
  await cluster.destroy();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
const pick = (measures: Measure[], f: (m: Measure) => number) => median(measures.map(f));
const report = [
  `Login over HTTP, ${rounds} rounds of ${loginsPerRound} logins per server, four servers side by side measured round-robin, ` +
    `on ${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. ` +
    `Medians of the per-round medians; Argon2id measured alone in the load generator, one between each two logins.\n`,
  table(
    [
      "server",
      "login (ms)",
      "Argon2id alone (ms)",
      "login over Argon2id (ms)",
      "HTTP round trip of a trivial query (ms)",
      "in the service: login beyond its own Argon2id wait (ms, server log)",
      "the server's Argon2id wait (ms)",
    ],
    servers.map(({ name, measures }) => [
      name,
      pick(measures, (m) => m.loginMs),
      pick(measures, (m) => m.argonMs),
      pick(measures, (m) => m.loginMs - m.argonMs),
      pick(measures, (m) => m.floorMs),
      pick(measures, (m) => m.serviceMs),
      pick(measures, (m) => m.serverArgonMs),
    ]),
  ),
].join("\n");
process.stdout.write(`${report}\n`);

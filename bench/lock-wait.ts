// Lock waits, measured from outside as the storage issue measured them: a server process, and
// another process holding the SQLite write lock for 12 s. Writes bench/LOCK-WAIT.md.
// Run: npm run bench:locks
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PROJECT_ROOT } from "../src/project-root.js";
import { holdWriteLock } from "../test/support/lock-holder.js";
import { postGraphQL, startServerProcess } from "../test/support/server-process.js";
import { median, percentile, table } from "./stats.js";

const HOLD_MS = 12_000;
const BUSY_TIMEOUT = "5s";

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

const summary = (label: string, values: number[]) => [label, String(values.length), median(values), percentile(values, 95), Math.max(...values)];

const dataDir = await mkdtemp(join(tmpdir(), "claimgate-lock-bench-"));
const server = await startServerProcess({
  DATA_DIR: dataDir,
  JWT_SECRET: randomBytes(48).toString("base64url"),
  SEED_DEMO_USERS: "true",
  DB_BUSY_TIMEOUT: BUSY_TIMEOUT,
  LOG_LEVEL: "info",
});
try {
  const login = await postGraphQL(server.url, `mutation { login(email: "alice@example.com", password: "alice-password-123") { accessToken } }`);
  const token = login.body.data.login.accessToken as string;
  const read = () => postGraphQL(server.url, "{ posts(first: 5) { title } }", { token });
  const health = () => fetch(new URL("/healthz", server.url)).then((response) => response.status);
  const write = (title: string) => postGraphQL(server.url, `mutation ($t: String!) { createPost(input: { title: $t, body: "." }) { id } }`, { token, variables: { t: title } });

  const idle = { read: [] as number[], health: [] as number[], write: [] as number[] };
  for (let i = 0; i < 30; i++) {
    idle.read.push((await timed(read))[0]);
    idle.health.push((await timed(health))[0]);
    idle.write.push((await timed(() => write(`idle ${i}`)))[0]);
  }

  const holder = await holdWriteLock(join(dataDir, "claimgate.db"), HOLD_MS);
  const lockedAt = performance.now();
  const queued = [1, 2, 3].map((i) => timed(() => write(`queued ${i}`)));
  const locked = { read: [] as number[], health: [] as number[] };
  while (performance.now() - lockedAt < HOLD_MS - 1000) {
    locked.read.push((await timed(read))[0]);
    locked.health.push((await timed(health))[0]);
    await sleep(50);
  }
  const writes = await Promise.all(queued);
  await holder.released;
  const [afterMs, after] = await timed(() => write("after"));

  const markdown = `# Lock waits (bench/lock-wait.ts)

Another process holds the SQLite write lock (BEGIN IMMEDIATE) for ${HOLD_MS / 1000} s while a client reads, probes /healthz and writes.
DB_BUSY_TIMEOUT=${BUSY_TIMEOUT}. Node ${process.version}. Times in milliseconds, measured by the client over HTTP.

Before (issue "Storage that never loses an acknowledged write", lock held 12 s, busy_timeout 10 s on the event loop):
next write 10,070 ms, read 9,807 ms, /healthz 9,796 ms; with three writes queued behind a 25 s lock, /healthz 24.6 s.

${table(["request", "n", "p50", "p95", "max"], [
  summary("read, no lock", idle.read),
  summary("/healthz, no lock", idle.health),
  summary("write, no lock", idle.write),
  summary("read, lock held", locked.read),
  summary("/healthz, lock held", locked.health),
])}

${table(
  ["three writes queued behind the lock at once", "ms until answered", "HTTP status", "code / reason"],
  writes.map(([ms, response], i) => [
    `write ${i + 1}`,
    ms,
    response.status,
    response.body.errors ? `${response.body.errors[0]!.extensions?.code} / ${response.body.errors[0]!.extensions?.reason}` : "ok",
  ]),
)}

First write after the lock was released: ${afterMs.toFixed(1)} ms, HTTP ${after.status}.
`;
  writeFileSync(join(PROJECT_ROOT, "bench", "LOCK-WAIT.md"), markdown);
  process.stdout.write(markdown);
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

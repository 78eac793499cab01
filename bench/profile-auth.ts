// `npm run bench:profile [checkout]`: where a login's and a refresh's server time goes. Starts the real
// server with its inspector open twice (once per load, so the two do not mix), warms it up,
// profiles logins sent one after another, or refreshes from 10 concurrent clients, and prints the server's CPU profile
// grouped by where the code lives (our layers, each package, Node internals, GC) plus the
// heaviest functions by inclusive time. Argon2id runs on libuv's thread pool, outside the main
// thread this profile samples, so a login's profile is exactly its overhead over the verification.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { PROJECT_ROOT } from "../src/project-root.js";
import { benchEnv, LOGIN, REFRESH } from "./auth-bench.js";
import { freePort, load, post, spawnServer } from "./http-bench.js";
import { RawHttpClient } from "./raw-http-client.js";
import { table } from "./stats.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}


/** Where a frame's code lives: a layer of ours, a package, Node itself, or V8's pseudo-frames. */
function bucketOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = path.slice(modules + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const inside = relative(root, path);
  const parts = inside.split("/");
  return parts[0] === "src" ? `src/${parts[1]}` : parts[0]!;
}

function summarise(profile: CpuProfile, operations: number, root: string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const buckets = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    const bucket = bucketOf(node.callFrame.url, node.callFrame.functionName, root);
    if (bucket === "(idle)") continue;
    busy += micros;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + micros);
    const frame = node.callFrame;
    const where = frame.url ? `${bucket}:${frame.lineNumber + 1}` : bucket;
    const fn = `${frame.functionName || "(anonymous)"} ${where}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + micros);
    // Each of our own functions on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!frame.url.includes("/src/") || frame.url.includes("node_modules")) continue;
      const name = `${frame.functionName || "(anonymous)"} ${relative(root, frame.url.replace(/^file:\/\//, ""))}:${frame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  const perOp = (micros: number) => micros / operations;
  const bucketRows = [...buckets].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([name, micros]) => [name, perOp(micros), `${((micros / busy) * 100).toFixed(0)} %`]);
  const functionRows = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([name, micros]) => [name, perOp(micros)]);
  const selfRows = [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([name, micros]) => [name, perOp(micros)]);
  return {
    busyPerOp: perOp(busy),
    buckets: table(["where (self time)", "µs per operation", "share"], bucketRows),
    functions: table(["our function (inclusive, synchronous part only)", "µs per operation"], functionRows),
    heaviest: table(["function (self time)", "µs per operation"], selfRows),
  };
}

/** A CDP session with the server's inspector: the profile covers the load only, not start-up. */
async function inspectorOf(port: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = ++next;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

async function profileLoad(
  root: string | undefined,
  name: string,
  run: (url: string) => Promise<number>,
  warmUp: (url: string) => Promise<unknown>,
): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-profile-"));
  const env = benchEnv(dataDir, randomBytes(48).toString("base64url"));
  const inspectorPort = await freePort();
  const server = await spawnServer("src/main.ts", env, await freePort(), { nodeArgs: [`--inspect=127.0.0.1:${inspectorPort}`], ...(root ? { root } : {}) });
  try {
    await warmUp(server.url);
    const inspector = await inspectorOf(inspectorPort);
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.send("Profiler.start");
    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    const operations = await run(server.url);
    const seconds = (performance.now() - started) / 1000;
    const cpu = ((server.cpuSeconds() - cpuBefore) * 1e6) / operations;
    const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
    inspector.close();
    const summary = summarise(profile, operations, root ?? PROJECT_ROOT);
    return (
      `### ${name}\n\n${(operations / seconds).toFixed(0)} per second while profiled (the profiler slows the server). ` +
      `Server CPU from /proc (all threads): ${cpu.toFixed(0)} µs per operation; main thread, sampled: ${summary.busyPerOp.toFixed(0)} µs.\n\n` +
      `${summary.buckets}\n\n${summary.heaviest}\n\n${summary.functions}\n`
    );
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Profiles of both loads against the checkout at `root` (this one by default), as Markdown. */
export async function profileAuth(options: { root?: string; logins: number; refreshesPerClient: number }): Promise<{ login: string; refresh: string }> {
  const { root, logins, refreshesPerClient: refreshes } = options;
  const login = await profileLoad(
    root,
    `${logins} logins, one after another`,
    async (url) => {
      await load(logins, 1, async () => {
        const result = await post(url, LOGIN);
        if (!result.data?.login) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
      });
      return logins;
    },
    (url) => load(20, 1, () => post(url, LOGIN)),
  );
  /** Ten refresh chains: logged in during the warm-up, so the profile holds refreshes only. */
  const chains: string[] = [];
  const refreshAll = async (url: string, count: number) => {
    await Promise.all(
      chains.map(async (first, index) => {
        // The same lean client as the bench's refresh measures (auth-bench.ts).
        const client = await RawHttpClient.connect(url);
        let token = first;
        for (let i = 0; i < count; i++) {
          const result = JSON.parse((await client.post(JSON.stringify({ query: REFRESH, variables: { r: token } }))).body) as { data?: { refresh?: { refreshToken: string } }; errors?: unknown };
          if (!result.data?.refresh) throw new Error(`refresh failed: ${JSON.stringify(result.errors)}`);
          token = result.data.refresh.refreshToken;
        }
        client.close();
        chains[index] = token;
      }),
    );
  };
  const refresh = await profileLoad(
    root,
    `${refreshes * 10} refreshes, 10 concurrent clients`,
    async (url) => {
      await refreshAll(url, refreshes);
      return refreshes * 10;
    },
    async (url) => {
      for (let i = 0; i < 10; i++) chains.push((await post(url, LOGIN)).data.login.refreshToken as string);
      await refreshAll(url, 30);
    },
  );
  return { login, refresh };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const report = await profileAuth({
    logins: Number(process.env["PROFILE_LOGINS"] ?? 300),
    refreshesPerClient: Number(process.env["PROFILE_REFRESHES"] ?? 400),
    ...(process.argv[2] ? { root: process.argv[2] } : {}),
  });
  process.stdout.write(`${report.login}\n${report.refresh}`);
}

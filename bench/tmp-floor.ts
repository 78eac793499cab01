import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchEnv, LOGIN } from "./auth-bench.js";
import { freePort, load, post, spawnServer } from "./http-bench.js";
const dataDir = await mkdtemp(join(tmpdir(), "floor-"));
const server = await spawnServer("src/main.ts", benchEnv(dataDir, randomBytes(48).toString("base64url")), await freePort(), process.argv[2] ? { root: process.argv[2] } : {});
const rt = (await post(server.url, LOGIN)).data.login.refreshToken;
const measure = async (name: string, send: () => Promise<unknown>) => {
  await load(500, 10, send);
  const before = server.cpuSeconds(); const t = performance.now();
  await load(3000, 10, send);
  console.log(name, (((server.cpuSeconds() - before) * 1e6) / 3000).toFixed(0), "µs CPU/req", (3000 / ((performance.now() - t) / 1000)).toFixed(0), "req/s");
};
await measure("viewer query", () => post(server.url, "{ viewer { authenticated } }"));
await measure("mutation logout bad token", () => post(server.url, `mutation ($r: String!) { refresh(refreshToken: $r) { refreshToken } }`, { r: "cgr_x" }));
await server.stop();

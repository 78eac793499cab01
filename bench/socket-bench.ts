// 5. WebSocket connections: idle memory per authenticated socket, and how long closing 1,000
//    sockets of one session takes once it is revoked (all get 4401). The server runs in this
//    process (its heap is measured after a forced GC); the sockets are opened by a child process.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { parseConfig } from "../src/config/parse-config.js";
import { PROJECT_ROOT } from "../src/project-root.js";
import { startServer } from "../src/server/start-server.js";
import { heapUsedAfterGc as heap } from "../test/support/heap-used.js";
import { table } from "./stats.js";

/** Opens `count` graphql-ws connections with one token; prints "ready", then "closed <n>" when all got 4401. */
const CLIENT = `
import WebSocket from "ws";
const [url, token, count] = process.argv.slice(1);
let acked = 0, closed = 0;
for (let i = 0; i < Number(count); i++) {
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer " + token } })));
  socket.on("message", (data) => { if (JSON.parse(String(data)).type === "connection_ack" && ++acked === Number(count)) console.log("ready"); });
  socket.on("close", (code) => { if (code === 4401 && ++closed === Number(count)) console.log("closed " + closed); });
}
`;

export async function benchSockets(options: { sockets: number }): Promise<{ table: string; bytesPerSocket: number; closeMs: number; serverMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-bench-ws-"));
  const config = parseConfig({
    NODE_ENV: "test",
    PORT: "0",
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    SEED_DEMO_USERS: "true",
    LOG_LEVEL: "silent",
  });
  const server = await startServer({ config, logger: pino({ level: "silent" }) });
  try {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation { login(email: "bob@example.com", password: "bob-password-123") { accessToken refreshToken } }` }),
    });
    const { accessToken, refreshToken } = ((await response.json()) as any).data.login;
    const before = heap();
    const child = spawn(process.execPath, ["--input-type=module", "-e", CLIENT, server.url.replace(/^http/, "ws"), accessToken, String(options.sockets)], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ready = await lines.next();
    if (ready.value !== "ready" || server.socketCount() !== options.sockets) throw new Error(`sockets did not open (${server.socketCount()})`);
    const bytesPerSocket = (heap() - before) / options.sockets;
    const started = performance.now();
    await server.services.sessions.logout(refreshToken);
    // The server's part is synchronous: by the time logout returns, every socket was told to close.
    const serverMs = performance.now() - started;
    if (server.socketCount() !== 0) throw new Error("the server still tracks sockets of the revoked session");
    const closed = await lines.next();
    const closeMs = performance.now() - started;
    if (!String(closed.value).startsWith("closed")) throw new Error("sockets were not all closed with 4401");
    child.kill();
    return {
      bytesPerSocket,
      closeMs,
      serverMs,
      table: table(
        ["measure", "value"],
        [
          [`idle authenticated socket, server heap per socket (KiB, ${options.sockets} sockets)`, bytesPerSocket / 1024],
          [`logout (database write included) → every socket of the session told to close (ms)`, serverMs],
          [`logout → all ${options.sockets} sockets received 4401 in the client process (ms)`, closeMs],
        ],
      ),
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("socket-bench.ts")) {
  const result = await benchSockets({ sockets: 1000 });
  process.stdout.write(`${result.table}\n`);
}

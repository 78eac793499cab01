import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { PROJECT_ROOT } from "../../src/project-root.js";

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

/** Builds examples/web with Vite into `outDir` (as `vite build examples/web` does). */
export async function buildWebExample(outDir: string): Promise<void> {
  const { build } = await import("vite");
  await build({ root: join(PROJECT_ROOT, "examples/web"), configFile: false, logLevel: "silent", build: { outDir, emptyOutDir: true } });
}

/** Serves a built page on 127.0.0.1 on an ephemeral port; `http://localhost:<port>` reaches it as another origin. */
export async function servePage(dir: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = path === "/" ? "index.html" : path.slice(1);
    if (file.includes("..")) return void res.writeHead(400).end();
    try {
      const body = await readFile(join(dir, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

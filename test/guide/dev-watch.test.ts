// `npm run dev` restarts the server when schema.graphql, prisma/ or src/ change: run on a copy of
// the repository, since the test edits its files.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { appendFile, cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";

let copy: string;
let dev: ChildProcess | undefined;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "claimgate-dev-watch-"));
  const skip = new Set(["node_modules", ".git", "data", "dist"].map((name) => join(PROJECT_ROOT, name)));
  await cp(PROJECT_ROOT, copy, { recursive: true, filter: (source) => !skip.has(source) });
  await symlink(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
});

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) {
    // npm, tsx watch and the server: the whole process group this test started.
    process.kill(-dev.pid, "SIGTERM");
    await once(dev, "exit");
    // tsx watch stops its server before it exits itself: wait until the group is gone.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && groupAlive(dev.pid)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await rm(copy, { recursive: true, force: true });
});

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run dev", () => {
  it("restarts the server on changes to schema.graphql, prisma/ and src/", { timeout: 180_000 }, async () => {
    dev = spawn("npm", ["run", "dev"], {
      cwd: copy,
      env: { ...process.env, NODE_ENV: "development", PORT: "0", LOG_FORMAT: "json", DATA_DIR: "data", JWT_SECRET: "", DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    const starts = () => output.split('"event":"server_started"').length - 1;
    const waitForStarts = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (starts() >= count) resolve();
        };
        dev!.stdout!.on("data", check);
        dev!.once("exit", (code) => reject(new Error(`npm run dev exited with ${code}:\n${output}`)));
        check();
      });
    dev.stdout!.on("data", (chunk) => (output += chunk));
    dev.stderr!.on("data", (chunk) => (output += chunk));

    await waitForStarts(1);
    let expected = 1;
    for (const file of ["schema.graphql", "prisma/schema.prisma", "src/graphql/resolvers/query.ts"]) {
      await appendFile(join(copy, file), file.endsWith(".ts") ? "\n// touched\n" : "\n");
      expected += 1;
      await waitForStarts(expected);
      expect(output).toContain(`change in ./${file}`);
    }
    expect(output).toContain('"event":"server_stopping"');
  });
});

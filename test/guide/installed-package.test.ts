// claimgate as another project would have it: `npm pack`, unpacked into that project's
// node_modules (its dependencies linked from ours, as npm would have installed them), then
// `npx claimgate` from that project, with its own .env.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";

const run = promisify(execFile);
let consumer: string;

beforeAll(async () => {
  consumer = await mkdtemp(join(tmpdir(), "claimgate-consumer-"));
  const packs = join(consumer, "packs");
  await mkdir(packs);
  await run("npm", ["pack", "--ignore-scripts", "--pack-destination", packs], { cwd: PROJECT_ROOT });
  const [tarball] = await readdir(packs);
  const installed = join(consumer, "node_modules", "claimgate");
  await mkdir(installed, { recursive: true });
  await run("tar", ["-xzf", join(packs, tarball!), "-C", installed, "--strip-components=1"]);
  await symlink(join(PROJECT_ROOT, "node_modules"), join(installed, "node_modules"), "dir");
  await mkdir(join(consumer, "node_modules", ".bin"));
  await symlink("../claimgate/bin/claimgate.js", join(consumer, "node_modules", ".bin", "claimgate"));
  await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: { claimgate: "*" } }));
  await writeFile(join(consumer, ".env"), "DATA_DIR=./claimgate-data\n");
});
afterAll(() => rm(consumer, { recursive: true, force: true }));

describe("installed as a package", () => {
  it("`npx claimgate` runs from the consuming project, on its own data folder and .env", { timeout: 120_000 }, async () => {
    // The consumer's .env chooses the data folder: no DATA_DIR or DATABASE_URL from outside.
    const { DATA_DIR: _dataDir, DATABASE_URL: _databaseUrl, ...outside } = process.env;
    const env = { ...outside, NODE_ENV: "development", JWT_SECRET: "" };
    const help = await run("npx", ["--no-install", "claimgate", "--help"], { cwd: consumer, env });
    expect(help.stdout).toMatch(/^Usage: claimgate <area> <command>/);
    const created = await run("npx", ["--no-install", "claimgate", "user", "create", "--email", "pkg@example.com", "--password", "pkg-password-123"], { cwd: consumer, env });
    expect(created.stdout).toMatch(/^created pkg@example.com/);
    expect(await readdir(join(consumer, "claimgate-data"))).toContain("claimgate.db");
  });
});

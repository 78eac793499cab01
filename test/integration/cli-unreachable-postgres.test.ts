// Issue 14, found in review: a server started against an unreachable PostgreSQL says so in one line
// ("claimgate cannot start: cannot reach the PostgreSQL database …"). The operator's other entry
// points on the same URL crash instead: `npm run db:migrate` with an uncaught ECONNREFUSED and
// `claimgate user …` with an uncaught error thrown from the schema engine's WebAssembly, each with
// a stack trace and no word on what to fix.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { describeOnPostgres } from "../support/test-database.js";

const UNREACHABLE = "postgresql://claimgate:secret-password@127.0.0.1:1/claimgate";

function run(script: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: UNREACHABLE, NODE_ENV: "development" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describeOnPostgres("about PostgreSQL URLs")("the command line against an unreachable PostgreSQL", () => {
  for (const [name, script, args] of [
    ["npm run db:migrate", "src/cli/migrate.ts", []],
    ["claimgate user list", "src/cli/claimgate.ts", ["user", "list"]],
  ] as const) {
    it(`${name} fails with one line naming the server, no stack trace`, () => {
      const { status, output } = run(script, ...args);
      expect(status).not.toBe(0);
      expect(output).toMatch(/cannot reach the PostgreSQL database claimgate on 127\.0\.0\.1:1/);
      expect(output).not.toMatch(/^\s+at /m);
      expect(output).not.toContain("secret-password");
    }, 60_000);
  }
});

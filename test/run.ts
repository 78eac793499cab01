// `npm test`: the Prisma clients first (everything imports them), then the type-check and the
// generated-code check side by side, then the test files on SQLite, then the database-touching
// ones (integration, e2e) again on PostgreSQL when its binaries are installed (a throwaway
// cluster, see test/support/postgres-global-setup.ts). CLAIMGATE_REQUIRE_POSTGRES=1 (set by
// .ci/run) turns missing binaries into a failure instead of a skip. The checks do not run beside
// the tests: their CPU would skew the tests that compare timings (login time for unknown emails).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";
import { findPostgresBinaries } from "../src/db/throwaway-postgres.js";
import { DATABASE_FREE_FILES, SQLITE_ONLY_FILES } from "./support/sqlite-only-files.js";

const bin = (name: string) => join(PROJECT_ROOT, "node_modules", ".bin", name);
const tsx = (file: string, ...args: string[]) => [process.execPath, "--import", "tsx", join(PROJECT_ROOT, file), ...args];

const [node, ...prismaArgs] = tsx("src/cli/generate.ts", "--prisma-only");
const prisma = spawnSync(node!, prismaArgs, {
  cwd: PROJECT_ROOT,
  stdio: ["ignore", "ignore", "inherit"],
});
if (prisma.status !== 0) process.exit(prisma.status ?? 1);

interface Outcome {
  name: string;
  code: number;
  output: string;
}

function check(name: string, command: string[]): Promise<Outcome> {
  const child = spawn(command[0]!, command.slice(1), { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ name, code: code ?? 1, output })));
}

const checks = await Promise.all([
  // Incremental: a run after a small change re-checks what changed (a fresh clone checks all).
  check("typecheck", [bin("tsc"), "--noEmit", "-p", ".", "--incremental", "--tsBuildInfoFile", join(PROJECT_ROOT, "node_modules", ".cache", "claimgate", "typecheck.tsbuildinfo")]),
  check("generated files", tsx("src/cli/generate.ts", "--check")),
  // A change that weakens the demo schema's protection fails until the baseline is updated on purpose.
  check("authorization baseline (authz diff)", tsx("src/cli/claimgate.ts", "authz", "diff", "test/fixtures/authz-baseline.graphql", "schema.graphql")),
]);
function vitest(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const tests = spawn(bin("vitest"), ["run", ...args], { cwd: PROJECT_ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  return new Promise<number>((resolve) => tests.on("close", (code) => resolve(code ?? 1)));
}

const say = (line: string) => process.stdout.write(`npm test: ${line}\n`);
const filters = process.argv.slice(2);
say("test files on SQLite");
const sqliteCode = await vitest(filters, { CLAIMGATE_TEST_DATABASE: "sqlite" });

let failed = sqliteCode !== 0;
let postgresOutcome: string;
const binaries = await findPostgresBinaries();
if (binaries) {
  say(`the database-touching test files again on PostgreSQL (${binaries}); left out, being about the SQLite file or opening no database:`);
  for (const [file, reason] of Object.entries({ ...SQLITE_ONLY_FILES, ...DATABASE_FREE_FILES })) say(`  ${file}: ${reason}`);
  // Unit tests touch no database: the PostgreSQL pass runs the integration and e2e files only.
  const postgresFilters = filters.length > 0 ? filters.filter((filter) => !filter.startsWith("test/unit")) : ["test/integration", "test/e2e"];
  const code = postgresFilters.length === 0 ? 0 : await vitest(postgresFilters, { CLAIMGATE_TEST_DATABASE: "postgres" });
  failed ||= code !== 0;
  postgresOutcome = code === 0 ? "the PostgreSQL pass passed" : "the PostgreSQL pass FAILED";
} else if (process.env["CLAIMGATE_REQUIRE_POSTGRES"] === "1") {
  failed = true;
  postgresOutcome = "the PostgreSQL pass FAILED: CLAIMGATE_REQUIRE_POSTGRES=1, but PostgreSQL's binaries (initdb, pg_ctl) are not installed (apt-get install postgresql, or set POSTGRES_BIN)";
} else {
  postgresOutcome =
    "SKIPPED the PostgreSQL pass: PostgreSQL's binaries (initdb, pg_ctl) are not installed under /usr/lib/postgresql/<15 or newer>/bin; install them (apt-get install postgresql) or set POSTGRES_BIN to run it";
}
say(sqliteCode === 0 ? "the SQLite pass passed" : "the SQLite pass FAILED");
say(postgresOutcome);
for (const outcome of checks) {
  if (outcome.code === 0) {
    say(`${outcome.name} passed`);
  } else {
    failed = true;
    process.stdout.write(`\nnpm test: ${outcome.name} FAILED\n${outcome.output}\n`);
  }
}
process.stdout.write("npm test: the README walkthroughs run apart, in `npm run test:guide` (CI runs both)\n");
process.exit(failed ? 1 : 0);

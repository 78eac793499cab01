// `npm test`: the Prisma client first (everything imports it), then the type-check and the
// generated-code check side by side, then the test files. The checks do not run beside the
// tests: their CPU would skew the tests that compare timings (login time for unknown emails).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";

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
  check("typecheck", [bin("tsc"), "--noEmit", "-p", "."]),
  check("generated files", tsx("src/cli/generate.ts", "--check")),
  // A change that weakens the demo schema's protection fails until the baseline is updated on purpose.
  check("authorization baseline (authz diff)", tsx("src/cli/claimgate.ts", "authz", "diff", "test/fixtures/authz-baseline.graphql", "schema.graphql")),
]);
const tests = spawn(bin("vitest"), ["run", ...process.argv.slice(2)], { cwd: PROJECT_ROOT, stdio: "inherit" });
const testCode = await new Promise<number>((resolve) => tests.on("close", (code) => resolve(code ?? 1)));

let failed = testCode !== 0;
for (const outcome of checks) {
  if (outcome.code === 0) {
    process.stdout.write(`npm test: ${outcome.name} passed\n`);
  } else {
    failed = true;
    process.stdout.write(`\nnpm test: ${outcome.name} FAILED\n${outcome.output}\n`);
  }
}
process.stdout.write("npm test: the README walkthroughs run apart, in `npm run test:guide` (CI runs both)\n");
process.exit(failed ? 1 : 0);

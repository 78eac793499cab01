// `npm run generate`: every generated file, from its one source.
//   prisma/schema.prisma -> src/db/generated/          (Prisma client; git-ignored, also run on install)
//   schema.graphql       -> src/graphql/generated/     (resolver types; committed, checked by `npm test`)
// `--check` regenerates the committed files in memory and fails when they differ.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../project-root.js";

const check = process.argv.includes("--check");
const prismaOnly = process.argv.includes("--prisma-only");
const bin = (name: string) => join(PROJECT_ROOT, "node_modules", ".bin", name);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stderr.write(`generate: ${command} ${args.join(" ")} failed\n`);
    process.exit(result.status ?? 1);
  }
}

// Prisma's CLI wants its native schema engine before `generate`, and downloads it when
// missing; generating the client never runs it, so any executable satisfies the check.
run(bin("prisma"), ["generate", "--config", "prisma/prisma.config.ts", "--no-hints"], {
  PRISMA_SCHEMA_ENGINE_BINARY: process.env["PRISMA_SCHEMA_ENGINE_BINARY"] ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
});
if (!prismaOnly) run(bin("graphql-codegen"), ["--config", "codegen.ts", ...(check ? ["--check"] : [])]);

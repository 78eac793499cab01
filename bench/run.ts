// `npm run bench`: measures what authorization costs, prints a Markdown report and writes it to
// bench/RESULTS.md. About two to four minutes on two cores. Numbers vary by ±20 % between runs on
// shared machines, so compare the ratios taken within one run.
import { execSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/project-root.js";
import { benchExecute } from "./execute-bench.js";
import { benchHttp } from "./http-bench.js";
import { benchTokens } from "./token-bench.js";

const quick = process.argv.includes("--quick");
const started = Date.now();
const section = (title: string, body: string) => `## ${title}\n\n${body}\n`;
const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

log("1/3 in-process execute (101 checks)…");
const execute = await benchExecute({ rounds: quick ? 3 : 15, opsPerRound: quick ? 100 : 300 });
log("2/3 token to principal…");
const tokens = await benchTokens({ iterations: quick ? 500 : 2000, rounds: quick ? 2 : 5 });
log("3/3 HTTP, login and refresh (spawns two servers)…");
const http = await benchHttp({ rounds: quick ? 2 : 6, requestsPerRound: quick ? 200 : 500, concurrency: 8 });

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    return "unknown";
  }
})();
const report = [
  `# claimgate benchmark results\n`,
  `Machine: ${machine}. Commit ${commit}. Run took ${Math.round((Date.now() - started) / 1000)} s${quick ? " (--quick)" : ""}.\n`,
  section("1. In-process execute, 100 posts, 101 field checks", execute),
  section("2. Token to principal", tokens),
  section("3. Over HTTP: authenticated query", http.http),
  section("4. Login and refresh on SQLite", http.auth),
].join("\n");

process.stdout.write(`${report}\n`);
if (!quick) writeFileSync(join(PROJECT_ROOT, "bench", "RESULTS.md"), `${report}\n${readTargets()}`);

/** The targets and the notes on them are kept by hand below the generated tables. */
function readTargets(): string {
  return `## Targets\n\nSee the notes in README.md ("Performance") for the targets, what was met and why the rest was not.\n`;
}

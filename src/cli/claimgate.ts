// `claimgate <area> <command>` (`npx claimgate …`, or `npm run cli -- …`): accounts, tokens,
// keys and the authorization report. The work is in run-cli.ts, which tests call in-process.
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));

// `claimgate <area> <command>` (`npx claimgate …`, or `npm run cli -- …`): accounts, tokens,
// keys and the authorization report. The work is in run-cli.ts, which tests call in-process.
import { runCli } from "./run-cli.js";

const code = await runCli(process.argv.slice(2));
// Exit as soon as the command is done: on PostgreSQL the driver's machinery keeps the process
// alive for about 10 s after the database is closed. (Writes to stdout and stderr are
// synchronous for files and pipes on Linux, so nothing printed is lost.)
process.exit(code);

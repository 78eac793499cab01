#!/usr/bin/env node
// `claimgate <area> <command>` (or `npm run cli -- …`): tokens, users and the authorization report.
import { ConfigError } from "../config/config-error.js";
import { SchemaAuthorizationError } from "../authz/schema-authorization-error.js";
import { CliError } from "./cli-error.js";
import { type CliIo, processIo } from "./cli-context.js";
import { runAuditCommand } from "./commands/audit-command.js";
import { runAuthzCommand } from "./commands/authz-command.js";
import { runTokenCommand } from "./commands/token-command.js";
import { runUserCommand } from "./commands/user-command.js";

const HELP = `Usage: claimgate <area> <command> [options]

Areas:
  token   decode | mint           inspect a JWT offline; sign one in development
  user    create | list | grant | revoke | disable | enable | delete | unlock
  authz   report                  who may resolve each field
  audit   [--user <email>]        who changed what about whose account

Run "claimgate <area> --help" for the commands of an area. Configuration comes from the same
environment variables as the server (DATABASE_URL, JWT_SECRET / JWT_KEYS, …).
`;

const AREAS: Record<string, (args: string[], io: CliIo) => Promise<void>> = {
  token: runTokenCommand,
  user: runUserCommand,
  authz: runAuthzCommand,
  audit: runAuditCommand,
  role: (args, io) => import("./commands/role-command.js").then((module) => module.runRoleCommand(args, io)),
};

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [area, ...rest] = argv;
  if (!area || area === "--help" || area === "-h" || area === "help") {
    io.out(HELP);
    return area ? 0 : 2;
  }
  const run = AREAS[area];
  try {
    if (!run) throw new CliError(`unknown area "${area}"\n\n${HELP}`, 2);
    await run(rest, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`claimgate: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof SchemaAuthorizationError) {
      io.err(`claimgate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await runCli(process.argv.slice(2));

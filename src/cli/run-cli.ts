import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SchemaAuthorizationError } from "../authz/schema-authorization-error.js";
import { ConfigError } from "../config/config-error.js";
import { PROJECT_ROOT } from "../project-root.js";
import { describeDatabaseStartupFailure } from "../db/describe-database-failure.js";
import { CliError } from "./cli-error.js";
import { type CliContext, processContext, processIo } from "./cli-context.js";
import { runAuditCommand } from "./commands/audit-command.js";
import { runAuthzCommand } from "./commands/authz-command.js";
import { runRoleCommand } from "./commands/role-command.js";
import { runKeysCommand } from "./commands/keys-command.js";
import { runTokenCommand } from "./commands/token-command.js";
import { runUserCommand } from "./commands/user-command.js";

export const HELP = `Usage: claimgate <area> <command> [options]    (claimgate --version, claimgate --help)

Commands:
  user create --email <email> --password <password> [--claim name=value ...]
                                       create an account (the first administrator, too)
  user list                            every account with its status and claims
  user grant <email> name=value ...    set claims (name+=value adds an item to a list claim)
  user revoke <email> name[=value] ... remove a claim, or one item of a list claim
  user disable <email>                 refuse logins and refreshes, end every session
  user enable <email>                  allow logins again
  user delete <email>                  end every session, remove the account's data and posts
  user unlock <email>                  forget failed logins, so a locked account can log in now
  token decode <jwt>                   show a token's claims and whether it verifies
  token mint --sub <id> [--claim name=value ...] [--ttl 15m]
                                       sign an access token (development only)
  keys generate --out <file> [--alg ES256] [--kid <id>]
                                       write a new key ring file (mode 0600) for JWT_KEYS_FILE
  authz report [--markdown]            who may resolve each field
  authz check (--token <jwt> | --claims <json>) (--query <doc> | --query-file <path>) [--variables <json>]
                                       dry-run an operation: allowed / denied / checked per object
  authz diff <old.graphql> <new.graphql> [--markdown]
                                       what protection a schema change weakened (exit 1 if any)
  audit [--user <email or id>] [--limit <n>] [--json]
                                       who changed what about whose account
  role create|update|delete <name> [--permission <p> ...] [--claim name=value ...] [--description <text>]
  role grant|revoke <email> <role>     give or take a role (holders' tokens follow at their next refresh)
  role list                            every role with its permissions and holders

Claims: name=value sets a claim to a string; name+=value makes it a list and adds the item
(repeat it for more items): --claim role=admin --claim permissions+=posts:read

Run "claimgate <area> --help" for an area's options. Settings come from the same environment
variables as the server (DATABASE_URL, JWT_KEYS_FILE, …), and from a .env file in the current
folder; a variable set in the environment wins over .env.
`;

type Area = (args: string[], context: CliContext) => Promise<void>;

const AREAS: Record<string, Area> = {
  user: runUserCommand,
  token: runTokenCommand,
  keys: runKeysCommand,
  authz: (args, context) => runAuthzCommand(args, context.io),
  audit: runAuditCommand,
  role: runRoleCommand,
};

/**
 * Runs one command line and returns its exit code: 0 done, 1 failed, 2 misused. Runs in-process
 * (nothing happens on import), so tests and other tools can call it directly.
 */
export async function runCli(argv: readonly string[], given?: CliContext): Promise<number> {
  const [area, ...rest] = argv;
  const io = given?.io ?? processIo;
  if (!area || area === "--help" || area === "-h" || area === "help") {
    io.out(HELP);
    return area ? 0 : 2;
  }
  if (area === "--version" || area === "-v") {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    io.out(`claimgate ${version} (Node ${process.versions.node})\n`);
    return 0;
  }
  let context: CliContext | undefined = given;
  try {
    const run = Object.hasOwn(AREAS, area) ? AREAS[area] : undefined;
    if (!run) throw new CliError(`unknown area "${area}"\n\n${HELP}`, 2);
    // Read here, so an unreadable .env is reported like any other configuration problem.
    context ??= processContext();
    await run(rest, context);
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
    // The database server down, the wrong password, no such database: one line, as the server says it.
    const databaseUrl = context?.env["DATABASE_URL"];
    const database = databaseUrl ? describeDatabaseStartupFailure(error, databaseUrl) : null;
    if (database) {
      io.err(`claimgate: ${database}\n`);
      return 1;
    }
    throw error;
  }
}

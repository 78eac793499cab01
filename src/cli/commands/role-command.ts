import { parseArgs } from "node:util";
import { DomainError } from "../../domain/domain-error.js";
import { normaliseEmail } from "../../domain/email.js";
import { createRole, deleteRole, listRoles, type RoleInput, type RoleView, setRoleGranted, updateRole } from "../../domain/roles.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliContext, withDatabase } from "../cli-context.js";

export const ROLE_HELP = `Usage: claimgate role <command>

Commands:
  create <name> [--permission <p> ...] [--claim name=value ...] [--description <text>]
  update <name> [--permission <p> ...] [--claim name=value ...] [--description <text>]
                                 the permissions (or claims) given replace the role's; others stay
  delete <name>                  holders lose what the role granted
  grant <email> <role>           the user's next refresh carries the role
  revoke <email> <role>
  list                           every role, its permissions and how many users hold it

Access tokens carry role (the user's own role claim, else the first role granted), roles (every
role) and permissions (the user's own and every role's). Changing or taking away a role makes the
holders' older access tokens expire within REVOCATION_SYNC_INTERVAL; clients refresh and receive
the new claims. Every change is recorded in the audit log (claimgate audit).
`;

const COMMANDS = ["create", "update", "delete", "grant", "revoke", "list"];
const CLI_ACTOR = { kind: "cli", id: null } as const;

export async function runRoleCommand(args: string[], context: CliContext): Promise<void> {
  const { io } = context;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        permission: { type: "string", multiple: true, short: "p" },
        claim: { type: "string", multiple: true },
        description: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw usageError(`${(error as Error).message}\n\n${ROLE_HELP}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command || values.help) return io.out(ROLE_HELP);
  if (!COMMANDS.includes(command)) throw usageError(`unknown role command "${command}"\n\n${ROLE_HELP}`);
  const expected = command === "list" ? 0 : command === "grant" || command === "revoke" ? 2 : 1;
  if (rest.length !== expected) throw usageError(`role ${command} takes ${expected === 0 ? "no arguments" : expected === 1 ? "a role name" : "an email and a role name"}\n\n${ROLE_HELP}`);
  const input: RoleInput = {
    ...(values.permission ? { permissions: values.permission } : {}),
    ...(values.claim ? { claims: claimsOf(values.claim) } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
  };

  await withDatabase(context, async ({ db }) => {
    try {
      switch (command) {
        case "create":
          return io.out(`created ${describe(await createRole(db, rest[0]!, input, { actor: CLI_ACTOR }))}\n`);
        case "update": {
          const { role, bumped } = await updateRole(db, rest[0]!, input, { actor: CLI_ACTOR });
          return io.out(`updated ${describe(role)}; ${bumped.length} holder(s) will receive it at their next refresh\n`);
        }
        case "delete": {
          const bumped = await deleteRole(db, rest[0]!, { actor: CLI_ACTOR });
          return io.out(`deleted ${rest[0]}; ${bumped.length} holder(s) lose it\n`);
        }
        case "grant":
        case "revoke": {
          const email = normaliseEmail(rest[0]!);
          const user = await db.user.findUnique({ where: { email } });
          if (!user || user.deletedAt) throw new CliError(`no account has the email ${email}`);
          const { changed } = await setRoleGranted(db, user.id, rest[1]!, command === "grant", { actor: CLI_ACTOR });
          const verb = command === "grant" ? "granted to" : "revoked from";
          return io.out(changed ? `${rest[1]} ${verb} ${email}\n` : `${email} ${command === "grant" ? "already holds" : "does not hold"} ${rest[1]}\n`);
        }
        case "list": {
          const roles = await listRoles(db);
          const width = Math.max(4, ...roles.map((role) => role.name.length));
          io.out(`${"NAME".padEnd(width)}  HOLDERS  PERMISSIONS\n`);
          for (const role of roles) io.out(`${role.name.padEnd(width)}  ${String(role.holders).padStart(7)}  ${role.permissions.join(" ")}\n`);
          return;
        }
      }
    } catch (error) {
      // Domain errors are written for people; show them as they are.
      if (error instanceof DomainError) throw new CliError(error.message);
      throw error;
    }
  });
}

function describe(role: RoleView): string {
  const claims = Object.keys(role.claims).length > 0 ? ` claims ${JSON.stringify(role.claims)}` : "";
  return `${role.name}: permissions ${JSON.stringify(role.permissions)}${claims}`;
}

function claimsOf(pairs: string[]): Record<string, string | string[]> {
  const claims: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw usageError(`--claim takes name=value (got "${pair}")`);
    const [name, value] = [pair.slice(0, equals), pair.slice(equals + 1)];
    const existing = claims[name];
    claims[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return claims;
}

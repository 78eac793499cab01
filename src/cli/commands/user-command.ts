import { parseArgs } from "node:util";
import { hashPassword } from "../../auth/passwords.js";
import { DomainError } from "../../domain/domain-error.js";
import { normaliseEmail, parseEmail } from "../../domain/email.js";
import { checkPasswordPolicy } from "../../domain/password-policy.js";
import { decodeStoredClaims, type UserClaims } from "../../domain/user-claims.js";
import { insertUser, listUsers, setUserClaims } from "../../domain/users.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliContext, type CommandAccounts, type CommandDatabase, withAccounts, withDatabase, withUsageErrors } from "../cli-context.js";
import { claimsFromAssignments, grantClaims, parseClaimAssignment, revokeClaims } from "./claim-arguments.js";

export const USER_HELP = `Usage: claimgate user <command>

Commands:
  create --email <email> --password <password> [--claim name=value ...]
                                         create an account; the first administrator is created
                                         this way: --claim role=admin
  list                                   every account with its status and claims
  grant <email> name=value [...]         set a single-valued claim
  grant <email> name+=value [...]        add an item to a list claim (created if absent)
  revoke <email> name[=value] [...]      remove a claim, or one item of a list claim
  disable <email>                        refuse logins and refreshes, end every session
  enable <email>                         allow logins again
  delete <email>                         end every session, remove the account's data and posts
  unlock <email>                         forget the account's failed logins (a lock ends now)

Claims: name=value is a string, name+=value an item of a list; repeat --claim for more.
  claimgate user create --email admin@example.com --password '…' \\
    --claim role=admin --claim permissions+=posts:read --claim permissions+=posts:write

Works on DATABASE_URL (default data/claimgate.db), migrating it if needed; needs no signing
keys. Every change is recorded in the audit log (claimgate audit). Changed claims make the
user's older access tokens expire within REVOCATION_SYNC_INTERVAL; clients refresh into them.
`;

const COMMANDS = ["create", "list", "grant", "revoke", "disable", "enable", "delete", "unlock"] as const;
type UserCommand = (typeof COMMANDS)[number];

export async function runUserCommand(args: string[], context: CliContext): Promise<void> {
  const [command, ...rest] = args;
  const { values, positionals } = withUsageErrors(USER_HELP, () =>
    parseArgs({
      args: rest,
      options: { email: { type: "string" }, password: { type: "string" }, claim: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (!command || command === "--help" || command === "-h" || values.help) return context.io.out(USER_HELP);
  if (!(COMMANDS as readonly string[]).includes(command)) throw usageError(`unknown user command "${command}"\n\n${USER_HELP}`);
  const accepted = command === "create" ? ["email", "password", "claim"] : [];
  const misplaced = Object.keys(values).filter((name) => name !== "help" && !accepted.includes(name));
  if (misplaced.length > 0) throw usageError(`user ${command} takes no --${misplaced[0]}\n\n${USER_HELP}`);
  // Checked before the database is opened: misuse never creates or migrates a database.
  const input = { values, positionals, claims: (values.claim ?? []).map(parseClaimAssignment) };
  if (command === "create" && (!values.email || !values.password)) throw usageError(`user create needs --email and --password\n\n${USER_HELP}`);
  if (command !== "create" && command !== "list" && !positionals[0]) throw usageError(`user ${command} needs the account's email\n\n${USER_HELP}`);

  const userCommand = command as UserCommand;
  try {
    // Only the commands that end sessions or lift locks open the account services; the others read and write rows.
    if (isAccountCommand(userCommand)) await withAccounts(context, (services) => runAccountCommand(services, userCommand, input, context));
    else await withDatabase(context, (services) => runDataCommand(services, userCommand, input, context));
  } catch (error) {
    // Domain errors are written for people; show them as they are.
    if (error instanceof DomainError) throw new CliError(error.message);
    throw error;
  }
}

const ACCOUNT_COMMANDS = ["delete", "disable", "enable", "unlock"] as const;
type AccountCommand = (typeof ACCOUNT_COMMANDS)[number];
type DataCommand = Exclude<UserCommand, AccountCommand>;
const isAccountCommand = (command: UserCommand): command is AccountCommand => (ACCOUNT_COMMANDS as readonly string[]).includes(command);

async function findByEmail(services: CommandDatabase, email: string) {
  const user = await services.db.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user) throw new CliError(`no account has the email ${normaliseEmail(email)}`);
  return user;
}

/** Changes made from the command line are audited as such. */
const CLI_ACTOR = { kind: "cli", id: null } as const;

const show = (claims: UserClaims) => JSON.stringify(claims);

interface UserCommandInput {
  values: { email?: string; password?: string };
  positionals: string[];
  claims: ReturnType<typeof parseClaimAssignment>[];
}

async function runDataCommand(services: CommandDatabase, command: DataCommand, input: UserCommandInput, context: CliContext): Promise<void> {
  const { db } = services;
  const { io } = context;
  const [email = "", ...changes] = input.positionals;
  switch (command) {
    case "create": {
      const password = input.values.password!;
      checkPasswordPolicy(password);
      const claims = claimsFromAssignments(input.claims);
      const user = await insertUser(db, { email: parseEmail(input.values.email!), passwordHash: await hashPassword(password) });
      const updated = Object.keys(claims).length ? await setUserClaims(db, user.id, claims) : user;
      io.out(`created ${updated.email} (${updated.id}) with claims ${show(decodeStoredClaims(updated.claims))}\n`);
      return;
    }
    case "list": {
      const users = await listUsers(db);
      const width = Math.max(5, ...users.map((user) => user.email.length));
      io.out(`${"EMAIL".padEnd(width)}  ${"ID".padEnd(36)}  STATUS    CLAIMS\n`);
      for (const user of users) {
        io.out(`${user.email.padEnd(width)}  ${user.id.padEnd(36)}  ${(user.disabledAt ? "disabled" : "active").padEnd(8)}  ${user.claims}\n`);
      }
      return;
    }
    case "grant":
    case "revoke": {
      if (changes.length === 0) throw usageError(`user ${command} needs at least one claim\n\n${USER_HELP}`);
      const user = await findByEmail(services, email);
      const current = decodeStoredClaims(user.claims);
      const claims = command === "grant" ? grantClaims(current, changes.map(parseClaimAssignment)) : revokeClaims(current, changes);
      const updated = await setUserClaims(db, user.id, claims);
      io.out(`${updated.email}: ${show(decodeStoredClaims(updated.claims))}\n`);
      return;
    }
  }
}

async function runAccountCommand(services: CommandAccounts, command: AccountCommand, input: UserCommandInput, context: CliContext): Promise<void> {
  const { io } = context;
  const [email = ""] = input.positionals;
  switch (command) {
    case "delete": {
      const user = await findByEmail(services, email);
      const ended = await services.accounts.delete(CLI_ACTOR, user.id);
      io.out(`${user.email} is deleted; ${ended} session(s) ended\n`);
      return;
    }
    case "disable":
    case "enable": {
      const user = await findByEmail(services, email);
      const { sessionsEnded } = await services.accounts.setDisabled(CLI_ACTOR, user.id, command === "disable");
      io.out(`${user.email} is ${command}d${command === "disable" ? `; ${sessionsEnded} session(s) ended` : ""}\n`);
      return;
    }
    case "unlock": {
      // The account-wide and account+IP counters; counters of an IP alone belong to an address, not to this account.
      const normalised = normaliseEmail(email);
      const count = await services.accounts.unlock(CLI_ACTOR, normalised);
      io.out(count > 0 ? `${normalised} is unlocked (${count} failure record(s) removed)\n` : `${normalised} had no failed logins on record\n`);
      return;
    }
  }
}

import { hashPassword } from "../../auth/passwords.js";
import { DomainError } from "../../domain/domain-error.js";
import { normaliseEmail, parseEmail } from "../../domain/email.js";
import { checkPasswordPolicy } from "../../domain/password-policy.js";
import { decodeStoredClaims, type UserClaims } from "../../domain/user-claims.js";
import { insertUser, listUsers, setUserClaims } from "../../domain/users.js";
import type { ServerServices } from "../../server/create-services.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliIo, withServices } from "../cli-context.js";
import { parseClaimArguments } from "./claim-arguments.js";

export const USER_HELP = `Usage: claimgate user <command>

Commands:
  create --email <email> --password <password> [--claim name=value ...]
  list                                   every account with its claims
  grant <email> name=value [...]         add a value to a claim (a second value makes it an array)
  revoke <email> name[=value] [...]      remove a claim, or one value of it
  disable <email>                        refuse logins and refreshes, end every session
  enable <email>
  delete <email>                         end every session, remove the account's data and posts
  unlock <email>                         lift the login locks on an address (account-wide and per IP)

Works on DATABASE_URL (default data/claimgate.db). Every change is recorded in the audit log
(claimgate audit). Changed claims make the user's older access tokens expire within
REVOCATION_SYNC_INTERVAL; clients refresh and receive the new claims.
`;

export async function runUserCommand(args: string[], io: CliIo): Promise<void> {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || rest.includes("--help") || rest.includes("-h")) return io.out(USER_HELP);
  if (!["create", "list", "grant", "revoke", "disable", "enable", "delete", "unlock"].includes(command)) {
    throw usageError(`unknown user command "${command}"\n\n${USER_HELP}`);
  }
  await withServices(async (services) => {
    try {
      await runWith(services, command, rest, io);
    } catch (error) {
      // Domain errors are written for people; show them as they are.
      if (error instanceof DomainError) throw new CliError(error.message);
      throw error;
    }
  });
}

async function findByEmail(services: ServerServices, email: string | undefined) {
  if (!email) throw usageError(`name the account by its email\n\n${USER_HELP}`);
  const user = await services.db.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!user) throw new CliError(`no account has the email ${normaliseEmail(email)}`);
  return user;
}

/** Changes made from the command line are audited as such. */
const CLI_ACTOR = { kind: "cli", id: null } as const;

const show = (claims: UserClaims) => JSON.stringify(claims);

async function runWith(services: ServerServices, command: string, rest: string[], io: CliIo): Promise<void> {
  const { db } = services;
  switch (command) {
    case "create": {
      const options = parseClaimArguments(rest, ["email", "password"]);
      const { email, password } = options.values;
      if (!email || !password) throw usageError(`user create needs --email and --password\n\n${USER_HELP}`);
      checkPasswordPolicy(password);
      const user = await insertUser(db, { email: parseEmail(email), passwordHash: await hashPassword(password) });
      const updated = Object.keys(options.claims).length ? await setUserClaims(db, user.id, options.claims) : user;
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
      const [email, ...changes] = rest;
      const user = await findByEmail(services, email);
      if (changes.length === 0) throw usageError(`user ${command} needs at least one claim\n\n${USER_HELP}`);
      const claims = { ...decodeStoredClaims(user.claims) };
      for (const change of changes) (command === "grant" ? grant : revoke)(claims, change);
      const updated = await setUserClaims(db, user.id, claims);
      io.out(`${updated.email}: ${show(decodeStoredClaims(updated.claims))}\n`);
      return;
    }
    case "delete": {
      const user = await findByEmail(services, rest[0]);
      const ended = await services.accounts.delete(CLI_ACTOR, user.id);
      io.out(`${user.email} is deleted; ${ended} session(s) ended\n`);
      return;
    }
    case "unlock": {
      if (!rest[0]) throw usageError(`name the address to unlock\n\n${USER_HELP}`);
      const cleared = await services.accounts.unlock(CLI_ACTOR, rest[0]);
      io.out(`${normaliseEmail(rest[0])}: ${cleared} lock counter(s) cleared\n`);
      return;
    }
    case "disable":
    case "enable": {
      const user = await findByEmail(services, rest[0]);
      const { sessionsEnded } = await services.accounts.setDisabled(CLI_ACTOR, user.id, command === "disable");
      io.out(`${user.email} is ${command}d${command === "disable" ? `; ${sessionsEnded} session(s) ended` : ""}\n`);
      return;
    }
  }
}

function splitClaim(change: string): [name: string, value: string | undefined] {
  const equals = change.indexOf("=");
  if (equals === 0) throw usageError(`"${change}" has no claim name`);
  return equals === -1 ? [change, undefined] : [change.slice(0, equals), change.slice(equals + 1)];
}

function grant(claims: UserClaims, change: string): void {
  const [name, value] = splitClaim(change);
  if (value === undefined) throw usageError(`grant takes name=value (got "${change}")`);
  const existing = claims[name];
  if (existing === undefined) claims[name] = value;
  else if (Array.isArray(existing)) claims[name] = existing.includes(value) ? existing : [...existing, value];
  else if (existing !== value) claims[name] = [existing, value];
}

function revoke(claims: UserClaims, change: string): void {
  const [name, value] = splitClaim(change);
  const existing = claims[name];
  if (existing === undefined) throw new CliError(`the account has no claim "${name}"`);
  if (value === undefined || existing === value) {
    delete claims[name];
  } else if (Array.isArray(existing) && existing.includes(value)) {
    claims[name] = existing.filter((item) => item !== value);
  } else {
    throw new CliError(`claim "${name}" does not hold "${value}"`);
  }
}

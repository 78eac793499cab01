import { parseArgs } from "node:util";
import { listAuditEvents } from "../../domain/audit-log.js";
import { normaliseEmail } from "../../domain/email.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliContext, withDatabase } from "../cli-context.js";

export const AUDIT_HELP = `Usage: claimgate audit [--user <email or id>] [--limit <n>] [--json]

Shows who changed what about whose account (claims, disable, delete, session sweeps, password
changes and resets, unlocks), newest first. Default limit 50.
`;

export async function runAuditCommand(args: string[], context: CliContext): Promise<void> {
  const { io } = context;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { user: { type: "string" }, limit: { type: "string", default: "50" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    throw usageError(`${(error as Error).message}\n\n${AUDIT_HELP}`);
  }
  if (values.help) return io.out(AUDIT_HELP);
  const first = Number(values.limit);
  if (!Number.isInteger(first) || first < 1) throw usageError(`--limit takes a whole number (got "${values.limit}")`);
  await withDatabase(context, async (services) => {
    let userId: string | null = null;
    if (values.user) {
      const user = values.user.includes("@")
        ? await services.db.user.findUnique({ where: { email: normaliseEmail(values.user) }, select: { id: true } })
        : { id: values.user };
      if (!user) throw new CliError(`no account has the email ${normaliseEmail(values.user)}`);
      userId = user.id;
    }
    const events = await listAuditEvents(services.db, { first: Math.min(first, 500), userId });
    if (values.json) return io.out(`${JSON.stringify(events, null, 2)}\n`);
    if (events.length === 0) return io.out("no audit events\n");
    for (const event of events) {
      const actor = event.actorId ? `${event.actorKind}:${event.actorId}` : event.actorKind;
      const change = event.before !== null || event.after !== null ? `  ${JSON.stringify(event.before)} -> ${JSON.stringify(event.after)}` : "";
      io.out(`${event.at.toISOString()}  ${event.action.padEnd(17)}  by ${actor}  user ${event.targetUserId ?? "-"}${change}\n`);
    }
  });
}

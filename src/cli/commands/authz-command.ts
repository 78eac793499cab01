import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { type GraphQLSchema, parse, specifiedRules, validate } from "graphql";
import { decodeJwt } from "jose";
import { type AccessDecision, analyzeOperation } from "../../authz/analyze-operation.js";
import { applyRequiresClaims, describeAuthorization } from "../../authz/apply-requires-claims.js";
import { diffAuthorization, renderDiffMarkdown, renderDiffTable } from "../../authz/authorization-diff.js";
import type { AuthorizationPlan } from "../../authz/authorization-plan.js";
import { authorizationReport, renderReportMarkdown, renderReportTable } from "../../authz/authorization-report.js";
import { SchemaAuthorizationError } from "../../authz/schema-authorization-error.js";
import { readTypeDefs } from "../../graphql/build-schema.js";
import { resolvers } from "../../graphql/resolvers/index.js";
import { CliError, usageError } from "../cli-error.js";
import type { CliIo } from "../cli-context.js";

export const AUTHZ_HELP = `Usage: claimgate authz <command>

Commands:
  report [--markdown]
      Every field, object type, guarded argument and input field of schema.graphql with who may
      resolve or supply it (type-level, interface and field-level rules combined).

  check (--token <jwt> | --claims '<json>') (--query '<document>' | --query-file <path>)
        [--variables '<json>'] [--operation <name>] [--schema <path>]
      A dry run of an operation against a token's claims, without a server or database: for
      every selected field, argument and input field, allowed, denied with the missing
      requirement, or checked on each object at run time. The token's signature is not
      verified: only its claims are read.
      Exit 0 when everything decidable is allowed, 1 when something is denied, 2 on bad usage
      or an invalid document.

  diff <old.graphql> <new.graphql> [--markdown]
      Every field, object type, argument and input field whose protection became weaker (a
      rule removed, a requirement dropped from an AND list, an alternative added to anyOf, a |
      value added, @public added, enforce: false introduced), and those that became stronger.
      Exit 1 when anything is weaker, 0 otherwise, 2 on bad usage or a schema that is invalid.
`;

const SUBCOMMANDS: Record<string, (args: string[], io: CliIo) => void> = { report, check, diff };

export async function runAuthzCommand(args: string[], io: CliIo): Promise<void> {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || rest.includes("--help") || rest.includes("-h")) return io.out(AUTHZ_HELP);
  const run = SUBCOMMANDS[command];
  if (!run) throw usageError(`unknown authz command "${command}"\n\n${AUTHZ_HELP}`);
  run(rest, io);
}

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

/** node:util parseArgs, with its errors turned into usage errors (exit 2). */
function parse_<T extends Options>(args: string[], options: T, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  } catch (error) {
    throw usageError(`${(error as Error).message}\n\n${AUTHZ_HELP}`);
  }
  if (parsed.positionals.length !== positionals) {
    throw usageError(`expected ${positionals} file argument(s), got ${parsed.positionals.length}\n\n${AUTHZ_HELP}`);
  }
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

function report(args: string[], io: CliIo): void {
  const { values } = parse_(args, { markdown: { type: "boolean" } }, 0);
  const schema = makeExecutableSchema({ typeDefs: readTypeDefs(), resolvers });
  const rows = authorizationReport(schema, describeAuthorization(schema));
  io.out(values["markdown"] ? renderReportMarkdown(rows) : renderReportTable(rows));
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw usageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A schema file as the server would enforce it; an invalid one is a usage error (exit 2). */
function loadSchema(path: string | undefined): { schema: GraphQLSchema; plan: AuthorizationPlan } {
  const typeDefs = path === undefined ? readTypeDefs() : readFile(path, "schema");
  let schema: GraphQLSchema;
  try {
    schema = applyRequiresClaims(makeExecutableSchema({ typeDefs }), { describeRequirements: false });
  } catch (error) {
    if (error instanceof SchemaAuthorizationError) throw usageError(`${path ?? "schema.graphql"}: ${error.message}`);
    throw usageError(`${path ?? "schema.graphql"} is not a valid schema: ${(error as Error).message}`);
  }
  return { schema, plan: describeAuthorization(schema) };
}

function parseJsonObject(text: string, option: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`--${option} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw usageError(`--${option} must be a JSON object`);
  return value as Record<string, unknown>;
}

function check(args: string[], io: CliIo): void {
  const { values } = parse_(
    args,
    {
      token: { type: "string" },
      claims: { type: "string" },
      query: { type: "string" },
      "query-file": { type: "string" },
      variables: { type: "string" },
      operation: { type: "string" },
      schema: { type: "string" },
    },
    0,
  );
  const token = values["token"] as string | undefined;
  const claimsJson = values["claims"] as string | undefined;
  if ((token === undefined) === (claimsJson === undefined)) throw usageError(`give exactly one of --token and --claims\n\n${AUTHZ_HELP}`);
  const queryText = values["query"] as string | undefined;
  const queryFile = values["query-file"] as string | undefined;
  if ((queryText === undefined) === (queryFile === undefined)) throw usageError(`give exactly one of --query and --query-file\n\n${AUTHZ_HELP}`);

  let claims: Record<string, unknown>;
  if (token !== undefined) {
    try {
      claims = decodeJwt(token);
    } catch (error) {
      throw usageError(`--token is not a JWT: ${(error as Error).message}`);
    }
  } else {
    claims = parseJsonObject(claimsJson!, "claims");
  }
  const variables = values["variables"] === undefined ? {} : parseJsonObject(values["variables"] as string, "variables");
  const { schema, plan } = loadSchema(values["schema"] as string | undefined);

  const source = queryText ?? readFile(queryFile!, "query file");
  let document;
  try {
    document = parse(source);
  } catch (error) {
    throw usageError(`the document does not parse: ${(error as Error).message}`);
  }
  const invalid = validate(schema, document, specifiedRules);
  if (invalid.length > 0) throw usageError(`the document is not valid against the schema:\n${invalid.map((error) => `  - ${error.message}`).join("\n")}`);

  const analysis = analyzeOperation({ schema, plan, document, variables, operationName: values["operation"] as string | undefined, claims });
  if (analysis.errors.length > 0) throw usageError(analysis.errors.map((error) => error.message).join("\n"));

  io.out(renderCheck(analysis.operationType!, analysis.decisions, claims));
  if (analysis.denied.length > 0) {
    const whole = analysis.operationType === "mutation" ? "; the mutation would be refused whole, before any resolver runs" : "";
    throw new CliError(`denied: ${analysis.denied.length} place(s)${whole}`, 1);
  }
}

function renderCheck(operationType: string, decisions: readonly AccessDecision[], claims: Record<string, unknown>): string {
  const label = (decision: AccessDecision) =>
    decision.outcome === "per-object" ? "PER-OBJECT" : decision.outcome === "open" ? "OPEN" : decision.outcome.toUpperCase();
  const rows = decisions.map((decision) => {
    const where = decision.path.join(".");
    const what =
      decision.kind === "objects"
        ? `${decision.coordinate} objects`
        : decision.kind === "argument" || decision.kind === "input-field"
          ? `${decision.coordinate} (supplied as ${decision.argument})`
          : decision.coordinate;
    let detail = "";
    if (decision.outcome === "denied") {
      detail =
        decision.code === "UNAUTHENTICATED"
          ? "needs an access token"
          : decision.denial?.requiredAnyOf
            ? `needs one of: ${decision.denial.requiredAnyOf.map((alternative) => `[${alternative.join(", ")}]`).join(" or ")}`
            : `missing: ${decision.denial?.requiredClaims.join(", ")}`;
    } else if (decision.outcome === "per-object") {
      detail = "checked on each object at run time";
    }
    if (decision.wouldDeny) detail = `${detail}${detail ? "; " : ""}an enforce: false rule would deny (logged, not enforced)`;
    return [label(decision), where, what, detail] as const;
  });
  const width = (i: 1 | 2) => Math.max(...rows.map((row) => row[i].length), 5);
  const lines = [
    `Operation: ${operationType}. Claims: ${JSON.stringify(claims)}`,
    "",
    ...rows.map(([outcome, where, what, detail]) => `${outcome.padEnd(10)}  ${where.padEnd(width(1))}  ${what.padEnd(width(2))}  ${detail}`.trimEnd()),
  ];
  return `${lines.join("\n")}\n`;
}

function diff(args: string[], io: CliIo): void {
  const { values, positionals } = parse_(args, { markdown: { type: "boolean" } }, 2);
  const [oldPath, newPath] = positionals as [string, string];
  const result = diffAuthorization(loadSchema(oldPath), loadSchema(newPath));
  io.out(values["markdown"] ? renderDiffMarkdown(result) : renderDiffTable(result));
  if (result.weaker > 0) throw new CliError(`protection became weaker in ${result.weaker} place(s) (see above); update the baseline if this is intended`, 1);
}

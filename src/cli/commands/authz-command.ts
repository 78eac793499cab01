import { describeAuthorization } from "../../authz/apply-requires-claims.js";
import { authorizationReport, renderReportMarkdown, renderReportTable } from "../../authz/authorization-report.js";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { readTypeDefs } from "../../graphql/build-schema.js";
import { resolvers } from "../../graphql/resolvers/index.js";
import { usageError } from "../cli-error.js";
import type { CliIo } from "../cli-context.js";

export const AUTHZ_HELP = `Usage: claimgate authz report [--markdown]

Lists every field of schema.graphql with its effective requirements (type-level, interface and
field-level combined) and the fields anyone can call: as a table, or as Markdown.
`;

export async function runAuthzCommand(args: string[], io: CliIo): Promise<void> {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || rest.includes("--help")) return io.out(AUTHZ_HELP);
  if (command !== "report") throw usageError(`unknown authz command "${command}"\n\n${AUTHZ_HELP}`);
  const unknown = rest.filter((arg) => arg !== "--markdown");
  if (unknown.length > 0) throw usageError(`unknown option ${unknown[0]}\n\n${AUTHZ_HELP}`);
  const schema = makeExecutableSchema({ typeDefs: readTypeDefs(), resolvers });
  const rows = authorizationReport(schema, describeAuthorization(schema));
  io.out(rest.includes("--markdown") ? renderReportMarkdown(rows) : renderReportTable(rows));
}

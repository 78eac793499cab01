import { type GraphQLSchema, isIntrospectionType, isObjectType } from "graphql";
import type { AuthorizationPlan } from "./authorization-plan.js";

export interface ReportRow {
  /** "Type.field" */
  readonly coordinate: string;
  /** "public" for @public root fields, "open" for unguarded non-root fields, "guarded" otherwise. */
  readonly access: "public" | "guarded" | "open";
  /** Effective requirements, type-level and field-level combined; empty for "any valid token". */
  readonly requirements: readonly string[];
}

/** Every field of every object type with the requirements that actually apply to it. */
export function authorizationReport(schema: GraphQLSchema, plan: AuthorizationPlan): ReportRow[] {
  const publicFields = new Set(plan.publicRootFields);
  const rows: ReportRow[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const guard = plan.guards.get(coordinate);
      rows.push({
        coordinate,
        access: guard ? "guarded" : publicFields.has(coordinate) ? "public" : "open",
        requirements: guard?.requirements.sources ?? [],
      });
    }
  }
  return rows.sort((a, b) => a.coordinate.localeCompare(b.coordinate));
}

function describeAccess(row: ReportRow): string {
  if (row.access === "public") return "anyone (@public)";
  if (row.access === "open") return "whoever can reach it";
  return row.requirements.length === 0 ? "any valid access token" : row.requirements.join(" AND ");
}

export function renderReportMarkdown(rows: readonly ReportRow[]): string {
  const lines = ["| Field | Who may resolve it |", "| --- | --- |"];
  for (const row of rows) lines.push(`| \`${row.coordinate}\` | ${describeAccess(row).replaceAll("|", "\\|")} |`);
  const anyone = rows.filter((row) => row.access === "public").map((row) => `\`${row.coordinate}\``);
  lines.push("", `Callable by anyone: ${anyone.length ? anyone.join(", ") : "none"}.`);
  return `${lines.join("\n")}\n`;
}

export function renderReportTable(rows: readonly ReportRow[]): string {
  const width = Math.max(5, ...rows.map((row) => row.coordinate.length));
  const lines = [`${"FIELD".padEnd(width)}  WHO MAY RESOLVE IT`, `${"-".repeat(width)}  ${"-".repeat(18)}`];
  for (const row of rows) lines.push(`${row.coordinate.padEnd(width)}  ${describeAccess(row)}`);
  const anyone = rows.filter((row) => row.access === "public").map((row) => row.coordinate);
  lines.push("", `Callable by anyone: ${anyone.length ? anyone.join(", ") : "none"}`);
  return `${lines.join("\n")}\n`;
}

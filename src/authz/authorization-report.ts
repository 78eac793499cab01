import { type GraphQLSchema, isInputObjectType, isIntrospectionType, isObjectType } from "graphql";
import type { AuthorizationPlan } from "./authorization-plan.js";
import { rulesInWords } from "./describe-rules.js";

export interface ReportRow {
  /** "Type.field", "Type.field(argument:)", "Input.field", or "Type" for a rule checked on each object. */
  readonly coordinate: string;
  /**
   * "public" for @public root fields, "open" for unguarded non-root fields, "guarded" otherwise;
   * "object" for a type's rule checked on each object, "input" for a guarded argument or input field.
   */
  readonly access: "public" | "guarded" | "open" | "object" | "input";
  /** Effective requirements as written, type-level and field-level combined; empty for "any valid token". */
  readonly requirements: readonly string[];
  /** Who may resolve (or supply) it, in words. */
  readonly who: string;
}

/** Every field of every object type, every guarded argument and input field, and every object-level rule. */
export function authorizationReport(schema: GraphQLSchema, plan: AuthorizationPlan): ReportRow[] {
  const publicFields = new Set(plan.publicRootFields);
  const rows: ReportRow[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const guard = plan.inputFieldGuards.get(coordinate);
        if (guard) rows.push({ coordinate, access: "input", requirements: guard.sources, who: `supplying it: ${rulesInWords(guard.rules)}` });
      }
      continue;
    }
    if (!isObjectType(type)) continue;
    const objectGuard = plan.objectGuards.get(type.name);
    if (objectGuard) {
      const { requirements } = objectGuard;
      rows.push({ coordinate: type.name, access: "object", requirements: requirements.sources, who: `each object: ${rulesInWords(requirements.rules, type.name)}` });
    }
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const guard = plan.guards.get(coordinate);
      const rules = guard?.requirements.rules ?? [];
      rows.push({
        coordinate,
        access: rules.length > 0 ? "guarded" : publicFields.has(coordinate) ? "public" : "open",
        requirements: guard?.requirements.sources ?? [],
        who:
          rules.length > 0
            ? rulesInWords(rules, type.name)
            : publicFields.has(coordinate)
              ? "anyone (@public)"
              : objectGuard
                ? `whoever may read the ${type.name} (see ${type.name})`
                : "whoever can reach it",
      });
      for (const arg of field.args) {
        const argCoordinate = `${coordinate}(${arg.name}:)`;
        const argGuard = plan.argumentGuards.get(argCoordinate);
        if (argGuard) rows.push({ coordinate: argCoordinate, access: "input", requirements: argGuard.sources, who: `supplying it: ${rulesInWords(argGuard.rules)}` });
      }
    }
  }
  return rows.sort((a, b) => a.coordinate.localeCompare(b.coordinate));
}

export function renderReportMarkdown(rows: readonly ReportRow[]): string {
  const lines = ["| Field | Who may resolve it |", "| --- | --- |"];
  for (const row of rows) lines.push(`| \`${row.coordinate}\` | ${row.who.replaceAll("|", "\\|")} |`);
  const anyone = rows.filter((row) => row.access === "public").map((row) => `\`${row.coordinate}\``);
  lines.push("", `Callable by anyone: ${anyone.length ? anyone.join(", ") : "none"}.`);
  return `${lines.join("\n")}\n`;
}

export function renderReportTable(rows: readonly ReportRow[]): string {
  const width = Math.max(5, ...rows.map((row) => row.coordinate.length));
  const lines = [`${"FIELD".padEnd(width)}  WHO MAY RESOLVE IT`, `${"-".repeat(width)}  ${"-".repeat(18)}`];
  for (const row of rows) lines.push(`${row.coordinate.padEnd(width)}  ${row.who}`);
  const anyone = rows.filter((row) => row.access === "public").map((row) => row.coordinate);
  lines.push("", `Callable by anyone: ${anyone.length ? anyone.join(", ") : "none"}`);
  return `${lines.join("\n")}\n`;
}

import { type GraphQLSchema, isInputObjectType, isIntrospectionType, isObjectType } from "graphql";
import type { AccessRule } from "./access-rule.js";
import type { AuthorizationPlan } from "./authorization-plan.js";
import type { ClaimRequirement } from "./claim-requirement.js";
import { rulesInWords } from "./describe-rules.js";

/** The protection of one place: the rules that must all hold, and whether it is @public. */
interface Protection {
  readonly rules: readonly AccessRule[];
  readonly isPublic: boolean;
  /** For object-level rules, the type name (descriptions say "the post's …"). */
  readonly objectName?: string;
}

export type DiffChange = "weaker" | "stronger" | "changed" | "added" | "removed";

export interface DiffEntry {
  /** "Type.field", "Type" (its objects), "Type.field(arg:)" or "Input.field". */
  readonly coordinate: string;
  readonly change: DiffChange;
  /** Why, in words: "rule removed: role=admin", "alternative added to anyOf: …", "enforce: false introduced", … */
  readonly reasons: readonly string[];
  readonly before: string;
  readonly after: string;
}

export interface AuthorizationDiff {
  /** Every place whose protection changed, was added or removed, sorted by coordinate. */
  readonly entries: readonly DiffEntry[];
  /** How many places kept the same protection. */
  readonly unchanged: number;
  readonly weaker: number;
}

/**
 * Compares the protection of every field, object type, argument and input field of two schemas.
 * Weaker means some caller the old rules refused may pass the new ones, as far as the rules'
 * text shows: a rule removed, a requirement dropped from an AND list, an alternative added to
 * anyOf, a `|` value added, `@public` added, `enforce: false` introduced. Places that are new or
 * gone are listed but are neither weaker nor stronger (startup already refuses unguarded root fields).
 */
export function diffAuthorization(before: { schema: GraphQLSchema; plan: AuthorizationPlan }, after: { schema: GraphQLSchema; plan: AuthorizationPlan }): AuthorizationDiff {
  const old = protections(before.schema, before.plan);
  const now = protections(after.schema, after.plan);
  const entries: DiffEntry[] = [];
  let unchanged = 0;
  for (const coordinate of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(coordinate);
    const b = now.get(coordinate);
    if (!a || !b) {
      const present = (a ?? b)!;
      if (!present.isPublic && present.rules.length === 0) continue; // an unguarded non-root field coming or going
      entries.push({ coordinate, change: a ? "removed" : "added", reasons: [], before: a ? words(a) : "—", after: b ? words(b) : "—" });
      continue;
    }
    const weakened = weakerReasons(a, b);
    const strengthened = weakerReasons(b, a);
    if (weakened.length === 0 && strengthened.length === 0) {
      unchanged += 1;
      continue;
    }
    const change: DiffChange = weakened.length > 0 ? "weaker" : strengthened.length > 0 ? "stronger" : "changed";
    entries.push({ coordinate, change, reasons: weakened.length > 0 ? weakened : strengthened.map((reason) => `the reverse of: ${reason}`), before: words(a), after: words(b) });
  }
  return { entries, unchanged, weaker: entries.filter((entry) => entry.change === "weaker").length };
}

function words(protection: Protection): string {
  if (protection.isPublic) return "anyone (@public)";
  if (protection.rules.length === 0) return "no rule";
  return rulesInWords(protection.rules, protection.objectName);
}

function protections(schema: GraphQLSchema, plan: AuthorizationPlan): Map<string, Protection> {
  const result = new Map<string, Protection>();
  const publicFields = new Set(plan.publicRootFields);
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        result.set(coordinate, { rules: plan.inputFieldGuards.get(coordinate)?.rules ?? [], isPublic: false });
      }
      continue;
    }
    if (!isObjectType(type)) continue;
    result.set(type.name, { rules: plan.objectGuards.get(type.name)?.requirements.rules ?? [], isPublic: false, objectName: type.name });
    // A type-level rule without {source.…} guards every field; listed once too, so its removal reads as such.
    result.set(`${type.name} (every field)`, { rules: plan.typeGuards.get(type.name)?.rules ?? [], isPublic: false });
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      result.set(coordinate, { rules: plan.guards.get(coordinate)?.requirements.rules ?? [], isPublic: publicFields.has(coordinate), objectName: type.name });
      for (const arg of field.args) {
        const argCoordinate = `${coordinate}(${arg.name}:)`;
        result.set(argCoordinate, { rules: plan.argumentGuards.get(argCoordinate)?.rules ?? [], isPublic: false });
      }
    }
  }
  return result;
}

/** The values a requirement accepts for its claim, or null when it is not a plain value list. */
function valueSet(requirement: ClaimRequirement): Set<string> | null {
  if (requirement.kind !== "oneOf") return null;
  return new Set(requirement.values.map((value) => value.segments.map((segment) => ("text" in segment ? segment.text : "sourceField" in segment ? `{source.${segment.sourceField}}` : `{${[segment.argument, ...(segment.path ?? [])].join(".")}}`)).join("")));
}

/** `a` implies `b`: whoever meets `a` meets `b` (same requirement, or the same claim with fewer `|` values). */
function requirementImplies(a: ClaimRequirement, b: ClaimRequirement): boolean {
  if (a.source === b.source) return true;
  if (a.kind === "oneOf" && b.kind === "truthy") return a.claim === b.claim;
  const valuesA = valueSet(a);
  const valuesB = valueSet(b);
  if (!valuesA || !valuesB || a.kind !== "oneOf" || b.kind !== "oneOf" || a.claim !== b.claim) return false;
  return [...valuesA].every((value) => valuesB.has(value));
}

const alternativeImplies = (a: readonly ClaimRequirement[], b: readonly ClaimRequirement[]) => b.every((rb) => a.some((ra) => requirementImplies(ra, rb)));
const ruleImplies = (a: AccessRule, b: AccessRule) => a.alternatives.every((alt) => b.alternatives.some((other) => alternativeImplies(alt, other)));

/** Why `after` lets in someone `before` refused; empty when every old rule is still implied. */
function weakerReasons(before: Protection, after: Protection): string[] {
  if (after.isPublic && !before.isPublic) return ["@public added"];
  const reasons: string[] = [];
  const enforcedAfter = after.rules.filter((rule) => rule.enforce);
  for (const rule of before.rules.filter((each) => each.enforce)) {
    if (enforcedAfter.some((candidate) => ruleImplies(candidate, rule))) continue;
    reasons.push(explain(rule, enforcedAfter, after.rules.filter((each) => !each.enforce), before.objectName));
  }
  return reasons;
}

function explain(rule: AccessRule, enforcedAfter: readonly AccessRule[], reportedAfter: readonly AccessRule[], objectName?: string): string {
  const text = rulesInWords([rule], objectName);
  if (reportedAfter.some((candidate) => ruleImplies(candidate, rule))) return `enforce: false introduced on: ${text}`;
  // The most similar new rule: the one sharing the most claims.
  const sources = new Set(rule.alternatives.flat().map((requirement) => requirement.source));
  const names = new Set(rule.alternatives.flat().map(claimOf));
  const similar = [...enforcedAfter].sort((x, y) => overlap(y, names) - overlap(x, names))[0];
  if (!similar || overlap(similar, names) === 0) return `rule removed: ${text}`;
  const widened = similar.alternatives.flat().filter((requirement) => {
    if (requirement.kind !== "oneOf") return false;
    const previous = rule.alternatives.flat().find((r) => r.kind === "oneOf" && r.claim === requirement.claim);
    return previous !== undefined && previous.source !== requirement.source && requirementImplies(previous, requirement);
  });
  if (widened.length > 0) return `a | alternative added: ${widened.map((r) => r.source).join(", ")} (was ${rule.alternatives.flat().filter((r) => widened.some((w) => w.kind === "oneOf" && r.kind === "oneOf" && w.claim === r.claim)).map((r) => r.source).join(", ")})`;
  const dropped = [...sources].filter((source) => !similar.alternatives.flat().some((requirement) => requirement.source === source));
  if (similar.alternatives.length > rule.alternatives.length || (dropped.length === 0 && similar.alternatives.length > 1)) {
    const added = similar.alternatives.filter((alternative) => !rule.alternatives.some((old) => alternativeImplies(alternative, old)));
    return `alternative added to anyOf: ${added.map((alternative) => `[${alternative.map((r) => r.source).join(", ")}]`).join(", ")}`;
  }
  if (dropped.length > 0) return `requirement dropped from an AND list: ${dropped.join(", ")}`;
  return `rule weakened: ${text} → ${rulesInWords([similar], objectName)}`;
}

const claimOf = (requirement: ClaimRequirement): string => (requirement.kind === "sourceTruthy" ? requirement.source : requirement.claim);

function overlap(rule: AccessRule, names: ReadonlySet<string>): number {
  return rule.alternatives.flat().filter((requirement) => names.has(claimOf(requirement))).length;
}

export function renderDiffTable(diff: AuthorizationDiff): string {
  if (diff.entries.length === 0) return `No change in protection (${diff.unchanged} places compared).\n`;
  const width = Math.max(...diff.entries.map((entry) => entry.coordinate.length));
  const lines = diff.entries.map((entry) => {
    const head = `${entry.change.toUpperCase().padEnd(8)}  ${entry.coordinate.padEnd(width)}  ${entry.before} → ${entry.after}`;
    return entry.reasons.length > 0 ? `${head}\n${entry.reasons.map((reason) => `${" ".repeat(10)}${reason}`).join("\n")}` : head;
  });
  lines.push("", summary(diff));
  return `${lines.join("\n")}\n`;
}

export function renderDiffMarkdown(diff: AuthorizationDiff): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  const lines = ["| Change | Place | Before | After | Why |", "| --- | --- | --- | --- | --- |"];
  for (const entry of diff.entries) {
    lines.push(`| ${entry.change} | \`${entry.coordinate}\` | ${escape(entry.before)} | ${escape(entry.after)} | ${escape(entry.reasons.join("; "))} |`);
  }
  lines.push("", summary(diff));
  return `${lines.join("\n")}\n`;
}

function summary(diff: AuthorizationDiff): string {
  const count = (change: DiffChange) => diff.entries.filter((entry) => entry.change === change).length;
  return `${diff.weaker} weaker, ${count("stronger")} stronger, ${count("added")} added, ${count("removed")} removed, ${diff.unchanged} unchanged.`;
}

import type { AccessRule } from "./access-rule.js";
import type { ClaimRequirement } from "./claim-requirement.js";

/**
 * A requirement in plain words, for descriptions and reports: `sub={source.authorId}` on Post
 * reads "sub = the post's authorId", `{source.published}` reads "the post's published is true".
 */
export function requirementInWords(requirement: ClaimRequirement, objectName: string | undefined): string {
  const object = objectName ? `the ${objectName.charAt(0).toLowerCase()}${objectName.slice(1)}'s` : "the object's";
  if (requirement.kind === "truthy") return requirement.claim;
  if (requirement.kind === "sourceTruthy") return `${object} ${requirement.field} is true`;
  if (requirement.sourceFields.length === 0 && requirement.arguments.length === 0) return requirement.source;
  const values = requirement.values.map((template) => {
    if (template.literal !== null) return template.literal;
    const [only] = template.segments;
    if (template.segments.length === 1 && only && !("text" in only)) {
      if ("sourceField" in only) return `${object} ${only.sourceField}`;
      return `the ${[only.argument, ...(only.path ?? [])].join(".")} argument`;
    }
    return template.segments
      .map((segment) =>
        "text" in segment ? segment.text : "sourceField" in segment ? `{source.${segment.sourceField}}` : `{${[segment.argument, ...(segment.path ?? [])].join(".")}}`,
      )
      .join("");
  });
  return `${requirement.claim} = ${values.join(" or ")}`;
}

function ruleInWords(rule: AccessRule, objectName: string | undefined): string {
  return rule.alternatives
    .map((alternative) => (alternative.length === 0 ? "any valid access token" : alternative.map((r) => requirementInWords(r, objectName)).join(" and ")))
    .join(", or ");
}

/**
 * The rules in one sentence: "Requires claims: role=admin." for plain lists (as before),
 * "Requires: role=admin, or sub = the post's authorId." once alternatives or objects appear.
 * Rules with enforce: false are named as reported only.
 */
export function describeRules(rules: readonly AccessRule[], options: { objectName?: string; scope?: string } = {}): string {
  const on = options.scope ? ` (on ${options.scope})` : "";
  const enforced = rules.filter((rule) => rule.enforce);
  const reported = rules.filter((rule) => !rule.enforce);
  const plain = enforced.every((rule) => rule.alternatives.length === 1 && !rule.readsSource && rule.form === "claims");
  const parts: string[] = [];
  if (enforced.length > 0 || reported.length === 0) {
    const requirements = enforced.flatMap((rule) => rule.alternatives[0]!);
    if (plain) {
      parts.push(requirements.length === 0 ? `Requires a valid access token${on}.` : `Requires claims${on}: ${[...new Set(requirements.map((r) => r.source))].join(", ")}.`);
    } else {
      const words = enforced.map((rule) => ruleInWords(rule, options.objectName));
      parts.push(`Requires${on}: ${words.length === 1 ? words[0] : words.map((w) => `(${w})`).join(" and ")}.`);
    }
  }
  if (reported.length > 0) {
    parts.push(`Not yet enforced (enforce: false, reported only)${on}: ${reported.map((rule) => ruleInWords(rule, options.objectName)).join("; ")}.`);
  }
  return parts.join(" ");
}

/**
 * The rules as a report cell: "a AND b" for plain lists, words once alternatives or objects
 * appear; rules with enforce: false are marked "(not enforced)".
 */
export function rulesInWords(rules: readonly AccessRule[], objectName?: string): string {
  const cell = (list: readonly AccessRule[]): string => {
    const plain = list.every((rule) => rule.alternatives.length === 1 && !rule.readsSource && rule.form === "claims");
    if (plain) {
      const requirements = [...new Set(list.flatMap((rule) => rule.alternatives[0]!.map((r) => r.source)))];
      return requirements.length === 0 ? "any valid access token" : requirements.join(" AND ");
    }
    const words = list.map((rule) => ruleInWords(rule, objectName));
    return words.length === 1 ? words[0]! : words.map((w) => `(${w})`).join(" AND ");
  };
  const enforced = rules.filter((rule) => rule.enforce);
  const reported = rules.filter((rule) => !rule.enforce);
  const parts: string[] = [];
  if (enforced.length > 0) parts.push(cell(enforced));
  if (reported.length > 0) parts.push(`${enforced.length > 0 ? "; " : "anyone who can reach it; "}not enforced: ${cell(reported)}`);
  return parts.join("");
}

import { type ClaimRequirement, parseClaimRequirement, readsSource } from "./claim-requirement.js";

/**
 * One use of `@requiresClaims`: `claims: [a, b]` is one alternative (a AND b), `anyOf: [[a], [b, c]]`
 * is several (a, OR b AND c). A rule with `enforce: false` is evaluated and reported but never denies.
 */
export interface AccessRule {
  /** OR of ANDs; never empty. An empty inner list holds for any valid access token. */
  readonly alternatives: readonly (readonly ClaimRequirement[])[];
  readonly enforce: boolean;
  /** True when a requirement reads the object, so the rule is decided per object at run time. */
  readonly readsSource: boolean;
  /** "anyOf" when written with anyOf (even with one alternative), for descriptions and diffs. */
  readonly form: "claims" | "anyOf";
}

/** The directive's arguments as `getDirective` returns them. */
export interface RequiresClaimsArguments {
  readonly claims?: readonly string[] | null;
  readonly anyOf?: readonly (readonly string[])[] | null;
  readonly enforce?: boolean | null;
}

export class RuleShapeError extends Error {
  readonly code = "ERR_RULE_SHAPE";
  constructor(message: string) {
    super(message);
    this.name = "RuleShapeError";
  }
}

/** Parses one directive use; throws RuleShapeError or RequirementSyntaxError. */
export function parseAccessRule(use: RequiresClaimsArguments, parsed: Map<string, ClaimRequirement> = new Map()): AccessRule {
  const hasClaims = use.claims != null;
  const hasAnyOf = use.anyOf != null;
  if (hasClaims === hasAnyOf) {
    throw new RuleShapeError("@requiresClaims takes exactly one of claims: [...] and anyOf: [[...], ...]");
  }
  if (hasAnyOf && use.anyOf!.length === 0) {
    throw new RuleShapeError("anyOf: [] has no alternative, so nobody could ever pass; list at least one");
  }
  const parse = (source: string): ClaimRequirement => {
    let requirement = parsed.get(source);
    if (!requirement) {
      requirement = parseClaimRequirement(source);
      parsed.set(source, requirement);
    }
    return requirement;
  };
  const alternatives = (hasAnyOf ? use.anyOf! : [use.claims!]).map((alternative) => alternative.map(parse));
  return {
    alternatives,
    enforce: use.enforce ?? true,
    readsSource: alternatives.some((alternative) => alternative.some(readsSource)),
    form: hasAnyOf ? "anyOf" : "claims",
  };
}

/** A rule of one AND list, as `claims: [...]` writes it. */
export function allOf(requirements: readonly ClaimRequirement[], enforce = true): AccessRule {
  return { alternatives: [requirements], enforce, readsSource: requirements.some(readsSource), form: "claims" };
}

/** The requirement strings of a rule, as written. */
export function ruleSources(rule: AccessRule): string[][] {
  return rule.alternatives.map((alternative) => alternative.map((requirement) => requirement.source));
}

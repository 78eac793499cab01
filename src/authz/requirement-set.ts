import type { Claims } from "../auth/caller.js";
import { type AccessRule, allOf, ruleSources } from "./access-rule.js";
import { type ClaimRequirement, parseClaimRequirement } from "./claim-requirement.js";
import {
  type ClaimPredicate,
  compilePredicate,
  decideRequirement,
  describeRequirement,
  type FieldArguments,
  type SourceValue,
  UNKNOWN_SOURCE,
} from "./match-claims.js";

/** What a denial tells the caller: the unmet requirements, and the alternatives when there are several. */
export interface Denial {
  /** The unmet requirements of the closest alternative of every failed rule, placeholders filled in. */
  readonly requiredClaims: string[];
  /** Present when a failed rule has alternatives: every way to pass, each an AND list. */
  readonly requiredAnyOf?: string[][];
}

export type Decision = "allowed" | "denied" | "undecided";

/** Every rule that guards one place (field, object, argument, input field), compiled once at schema build. */
export interface RequirementSet {
  /** The requirement strings as written, type-level ones first (every alternative, flattened). */
  readonly sources: readonly string[];
  /** Every rule, enforced or not. */
  readonly rules: readonly AccessRule[];
  /** Whether every enforced rule holds: the per-request check, which allocates nothing. */
  readonly holds: ClaimPredicate;
  /** null when every enforced requirement holds; otherwise the unmet ones, placeholders filled in. */
  unmet(claims: Claims, args: FieldArguments, source?: SourceValue): string[] | null;
  /** null when every enforced rule holds; otherwise what to tell the caller. */
  denial(claims: Claims, args: FieldArguments, source?: SourceValue): Denial | null;
  /**
   * Before execution: "allowed" or "denied" when the claims (and arguments, when known) decide,
   * "undecided" when a rule needs the object. Only enforced rules count.
   */
  decide(claims: Claims, args: FieldArguments | undefined, source?: SourceValue | typeof UNKNOWN_SOURCE): Decision;
  /** The rules with enforce: false, or null when there are none. */
  readonly reportOnly: RequirementSet | null;
  /** True when some enforced rule reads the object. */
  readonly readsSource: boolean;
}

interface CompiledRule {
  readonly rule: AccessRule;
  readonly holds: ClaimPredicate;
  /** One predicate per requirement, per alternative. */
  readonly predicates: readonly (readonly ClaimPredicate[])[];
}

function compileRule(rule: AccessRule): CompiledRule {
  const predicates = rule.alternatives.map((alternative) => alternative.map(compilePredicate));
  const alternatives = predicates.map((list): ClaimPredicate => {
    if (list.length === 0) return () => true;
    if (list.length === 1) return list[0]!;
    return (claims, args, source) => {
      for (let i = 0; i < list.length; i++) if (!list[i]!(claims, args, source)) return false;
      return true;
    };
  });
  const holds: ClaimPredicate =
    alternatives.length === 1
      ? alternatives[0]!
      : (claims, args, source) => {
          for (let i = 0; i < alternatives.length; i++) if (alternatives[i]!(claims, args, source)) return true;
          return false;
        };
  return { rule, holds, predicates };
}

function and(predicates: readonly ClaimPredicate[]): ClaimPredicate {
  if (predicates.length === 0) return () => true;
  if (predicates.length === 1) return predicates[0]!;
  if (predicates.length === 2) {
    const [first, second] = predicates as [ClaimPredicate, ClaimPredicate];
    return (claims, args, source) => first(claims, args, source) && second(claims, args, source);
  }
  return (claims, args, source) => {
    for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(claims, args, source)) return false;
    return true;
  };
}

function decideRule(rule: AccessRule, claims: Claims, args: FieldArguments | undefined, source: SourceValue | typeof UNKNOWN_SOURCE): Decision {
  let undecided = false;
  for (const alternative of rule.alternatives) {
    let result: boolean | undefined = true;
    for (const requirement of alternative) {
      const one = decideRequirement(requirement, claims, args, source);
      if (one === false) {
        result = false;
        break;
      }
      if (one === undefined) result = undefined;
    }
    if (result === true) return "allowed";
    if (result === undefined) undecided = true;
  }
  return undecided ? "undecided" : "denied";
}

/** Builds the set from rules; the rules' requirements must already be checked against their place. */
export function compileRuleSet(rules: readonly AccessRule[]): RequirementSet {
  const enforced = rules.filter((rule) => rule.enforce).map(compileRule);
  const reported = rules.filter((rule) => !rule.enforce);
  const holds = and(enforced.map((compiled) => compiled.holds));

  const denial = (claims: Claims, args: FieldArguments, source?: SourceValue): Denial | null => {
    if (holds(claims, args, source)) return null;
    const failed = enforced.filter((compiled) => !compiled.holds(claims, args, source));
    const requiredClaims: string[] = [];
    let anyOf: string[][] | undefined;
    for (const compiled of failed) {
      // The closest alternative: fewest unmet requirements, so the error says what is most likely missing.
      let closest: string[] | undefined;
      compiled.predicates.forEach((predicates, i) => {
        const unmet = compiled.rule.alternatives[i]!.filter((_, j) => !predicates[j]!(claims, args, source)).map((requirement) =>
          describeRequirement(requirement, args),
        );
        if (closest === undefined || unmet.length < closest.length) closest = unmet;
      });
      requiredClaims.push(...(closest ?? []));
      if (compiled.rule.alternatives.length > 1) {
        const options = compiled.rule.alternatives.map((alternative) => alternative.map((requirement) => describeRequirement(requirement, args)));
        // Several failed rules with alternatives: every combination passes all of them.
        anyOf = anyOf === undefined ? options : anyOf.flatMap((prefix) => options.map((option) => [...prefix, ...option]));
      }
    }
    return anyOf === undefined ? { requiredClaims: [...new Set(requiredClaims)] } : { requiredClaims: [...new Set(requiredClaims)], requiredAnyOf: anyOf };
  };

  return {
    sources: [...new Set(rules.flatMap((rule) => ruleSources(rule).flat()))],
    rules,
    holds,
    unmet: (claims, args, source) => denial(claims, args, source)?.requiredClaims ?? null,
    denial,
    decide(claims, args, source = UNKNOWN_SOURCE) {
      let result: Decision = "allowed";
      for (const compiled of enforced) {
        const one = decideRule(compiled.rule, claims, args, source);
        if (one === "denied") return "denied";
        if (one === "undecided") result = "undecided";
      }
      return result;
    },
    reportOnly: reported.length > 0 ? compileRuleSet(reported.map((rule) => ({ ...rule, enforce: true }))) : null,
    readsSource: enforced.some((compiled) => compiled.rule.readsSource),
  };
}

export class RequirementPlaceholderError extends Error {
  readonly code = "ERR_REQUIREMENT_PLACEHOLDER";
  constructor(
    readonly source: string,
    readonly argument: string,
    detail?: string,
  ) {
    super(detail ?? `claim requirement "${source}" uses {${argument}}, but the field has no argument "${argument}"`);
    this.name = "RequirementPlaceholderError";
  }
}

export interface CompileRequirementsOptions {
  sources: readonly string[];
  /** Names of the guarded field's arguments; placeholders must name one of them. */
  argumentNames: readonly string[];
  /** Shares parsed requirements between fields that repeat the same string. */
  parsed?: Map<string, ClaimRequirement>;
}

/** Every listed requirement must hold (one `claims: [...]` list); placeholders must name arguments. */
export function compileRequirements(options: CompileRequirementsOptions): RequirementSet {
  const parsed = options.parsed ?? new Map<string, ClaimRequirement>();
  const requirements = options.sources.map((source) => {
    let requirement = parsed.get(source);
    if (!requirement) {
      requirement = parseClaimRequirement(source);
      parsed.set(source, requirement);
    }
    if (requirement.kind === "oneOf") {
      const unknown = requirement.arguments.find((name) => !options.argumentNames.includes(name));
      if (unknown !== undefined) throw new RequirementPlaceholderError(source, unknown);
    }
    return requirement;
  });
  return compileRuleSet([allOf(requirements)]);
}

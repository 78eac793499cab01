import { type ClaimRequirement, parseClaimRequirement } from "./claim-requirement.js";
import { type ClaimPredicate, type Claims, compilePredicate, describeRequirement, type FieldArguments } from "./match-claims.js";

/** Every requirement that guards one field, compiled once at schema build. */
export interface RequirementSet {
  /** The requirement strings as written in the schema, type-level ones first. */
  readonly sources: readonly string[];
  /** Whether every requirement holds: the per-request check, which allocates nothing. */
  readonly holds: ClaimPredicate;
  /** null when every requirement holds; otherwise the unmet ones, placeholders filled in. */
  unmet(claims: Claims, args: FieldArguments): string[] | null;
}

export class RequirementPlaceholderError extends Error {
  readonly code = "ERR_REQUIREMENT_PLACEHOLDER";
  constructor(
    readonly source: string,
    readonly argument: string,
  ) {
    super(`claim requirement "${source}" uses {${argument}}, but the field has no argument "${argument}"`);
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

  const predicates = requirements.map(compilePredicate);
  const holds: ClaimPredicate =
    predicates.length === 1
      ? predicates[0]!
      : (claims, args) => {
          for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(claims, args)) return false;
          return true;
        };
  return {
    sources: options.sources,
    holds,
    unmet(claims, args) {
      if (holds(claims, args)) return null;
      return requirements.filter((_, i) => !predicates[i]!(claims, args)).map((requirement) => describeRequirement(requirement, args));
    },
  };
}

import { type ClaimRequirement, parseClaimRequirement } from "./claim-requirement.js";
import { type Claims, describeRequirement, type FieldArguments, satisfiesRequirement } from "./match-claims.js";

/** Every requirement that guards one field, compiled once at schema build. */
export interface RequirementSet {
  /** The requirement strings as written in the schema, type-level ones first. */
  readonly sources: readonly string[];
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

  return {
    sources: options.sources,
    unmet(claims, args) {
      // The common case allocates nothing: only a failure builds the list of unmet requirements.
      for (let i = 0; i < requirements.length; i++) {
        if (!satisfiesRequirement(requirements[i]!, claims, args)) {
          return requirements
            .filter((requirement) => !satisfiesRequirement(requirement, claims, args))
            .map((requirement) => describeRequirement(requirement, args));
        }
      }
      return null;
    },
  };
}

import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLResolveInfo } from "graphql";
import type { AuthContext } from "../auth/caller.js";
import { ForbiddenError, UnauthenticatedError } from "./authorization-errors.js";
import type { AuthorizationPlan, FieldGuard } from "./authorization-plan.js";
import type { Claims } from "../auth/caller.js";
import type { FieldArguments } from "./match-claims.js";
import type { RequirementSet } from "./requirement-set.js";
import { suppliedGuardedInputs } from "./supplied-inputs.js";
import type { WouldDenyEvent, WouldDenyListener } from "./would-deny.js";

export interface GuardResolverOptions {
  readonly plan: AuthorizationPlan;
  readonly guard: FieldGuard;
  readonly onWouldDeny?: WouldDenyListener | undefined;
}

/** Reports an `enforce: false` rule that does not hold; never throws. */
export function reportWouldDeny(
  requirements: RequirementSet,
  claims: Claims | null | undefined,
  args: FieldArguments,
  source: unknown,
  event: Pick<WouldDenyEvent, "coordinate" | "kind">,
  listener: WouldDenyListener | undefined,
  context: unknown,
): void {
  const reportOnly = requirements.reportOnly;
  if (reportOnly === null || listener === undefined) return;
  if (claims != null && reportOnly.holds(claims, args, source)) return;
  const denial = claims != null ? reportOnly.denial(claims, args, source) : { requiredClaims: [...reportOnly.sources] };
  if (denial === null) return;
  const subject = claims?.["sub"];
  listener({ ...event, subject: typeof subject === "string" ? subject : undefined, ...denial }, context);
}

/**
 * Wraps a resolver so it runs only for a caller whose verified claims meet the field's rules
 * (with `{source.…}` read from the parent object) and who may supply every guarded argument and
 * input field it supplies. The check is synchronous and allocates nothing when it passes, so a
 * guarded field costs one function call more than an unguarded one; a mutation's resolver never
 * runs on failure.
 */
export function guardResolver<TSource, TContext extends AuthContext | undefined, TArgs extends Record<string, unknown>>(
  resolve: GraphQLFieldResolver<TSource, TContext, TArgs>,
  options: GuardResolverOptions,
): GraphQLFieldResolver<TSource, TContext, TArgs> {
  const { guard, plan, onWouldDeny } = options;
  const { requirements, guardsInputs } = guard;
  const { holds } = requirements;
  const coordinate = `${guard.typeName}.${guard.fieldName}`;
  const hasRules = requirements.rules.some((rule) => rule.enforce);
  const reports = requirements.reportOnly !== null && onWouldDeny !== undefined;

  // Argument rules may read the field's other arguments; input-field rules read none.
  const checkInputs = (claims: Claims | null | undefined, args: FieldArguments, context: TContext, info: GraphQLResolveInfo) => {
    const field = info.parentType.getFields()[info.fieldName]!;
    for (const node of info.fieldNodes) {
      for (const supplied of suppliedGuardedInputs(plan, guard.typeName, field, node, info.variableValues)) {
        if (claims == null) {
          if (supplied.requirements.rules.some((rule) => rule.enforce)) throw UnauthenticatedError.fromRejection(context?.auth?.error);
        } else if (!supplied.requirements.holds(claims, args, undefined)) {
          throw ForbiddenError.inputDenied(supplied.argumentPath, supplied.coordinate, supplied.requirements.denial(claims, args, undefined)!);
        }
        const kind = supplied.coordinate.includes("(") ? "argument" : "input-field";
        reportWouldDeny(supplied.requirements, claims, args, undefined, { coordinate: supplied.coordinate, kind }, onWouldDeny, context);
      }
    }
  };

  // Only enforce: false rules and nobody listening: nothing to do.
  if (!hasRules && !guardsInputs && !reports) return resolve;
  if (hasRules && !guardsInputs && !reports && resolve === defaultFieldResolver) {
    // graphql's default resolver, inlined: most guarded fields are plain properties of their parent.
    const fieldName = guard.fieldName;
    return function guardedProperty(source, args, context, info) {
      const auth = context?.auth;
      const claims = auth?.claims;
      if (claims == null) throw UnauthenticatedError.fromRejection(auth?.error);
      if (!holds(claims, args, source)) throw ForbiddenError.fromDenial(requirements.denial(claims, args, source)!);
      if (typeof source !== "object" && typeof source !== "function") return undefined;
      const property = (source as Record<string, unknown>)[fieldName];
      return typeof property === "function" ? (property as (...rest: unknown[]) => unknown).call(source, args, context, info) : property;
    };
  }
  if (hasRules && !guardsInputs && !reports) {
    return function guardedResolver(source, args, context, info) {
      const auth = context?.auth;
      const claims = auth?.claims;
      if (claims == null) throw UnauthenticatedError.fromRejection(auth?.error);
      if (!holds(claims, args, source)) throw ForbiddenError.fromDenial(requirements.denial(claims, args, source)!);
      return resolve(source, args, context, info);
    };
  }
  return function guardedResolver(source, args, context, info) {
    const auth = context?.auth;
    const claims = auth?.claims;
    if (hasRules) {
      if (claims == null) throw UnauthenticatedError.fromRejection(auth?.error);
      if (!holds(claims, args, source)) throw ForbiddenError.fromDenial(requirements.denial(claims, args, source)!);
    }
    if (guardsInputs) checkInputs(claims, args, context, info);
    if (reports) reportWouldDeny(requirements, claims, args, source, { coordinate, kind: "field" }, onWouldDeny, context);
    return resolve(source, args, context, info);
  };
}

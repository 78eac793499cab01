import type { GraphQLFieldResolver } from "graphql";
import type { AuthContext } from "../auth/auth-state.js";
import { ForbiddenError, UnauthenticatedError } from "./authorization-errors.js";
import type { RequirementSet } from "./requirement-set.js";

/**
 * Wraps a resolver so it runs only for a caller whose verified claims meet `requirements`.
 * The check is synchronous and allocates nothing when it passes, so a guarded field costs
 * one function call more than an unguarded one; a mutation's resolver never runs on failure.
 */
export function guardResolver<TSource, TContext extends AuthContext | undefined, TArgs extends Record<string, unknown>>(
  resolve: GraphQLFieldResolver<TSource, TContext, TArgs>,
  requirements: RequirementSet,
): GraphQLFieldResolver<TSource, TContext, TArgs> {
  const { holds } = requirements;
  return function guardedResolver(source, args, context, info) {
    const auth = context?.auth;
    const claims = auth?.claims;
    if (claims == null) throw UnauthenticatedError.fromRejection(auth?.error);
    if (!holds(claims, args)) throw ForbiddenError.missingClaims(requirements.unmet(claims, args) ?? []);
    return resolve(source, args, context, info);
  };
}

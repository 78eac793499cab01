import {
  type GraphQLAbstractType,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  Kind,
} from "graphql";
import type { AuthContext } from "../auth/caller.js";
import { ForbiddenError, UnauthenticatedError } from "./authorization-errors.js";
import type { AuthorizationPlan } from "./authorization-plan.js";
import type { Claims } from "../auth/caller.js";
import type { FieldArguments } from "./match-claims.js";
import { reportWouldDeny } from "./guard-resolver.js";
import type { WouldDenyListener } from "./would-deny.js";

/** Whether a field returning `type` may return an object whose type has a rule to check on it. */
export function producesGuardedObjects(schema: GraphQLSchema, plan: AuthorizationPlan, type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  const guarded = (name: string) => plan.objectGuards.has(name) || plan.typeGuards.has(name);
  if (isObjectType(named)) return guarded(named.name);
  if (isAbstractType(named)) return schema.getPossibleTypes(named).some((possible) => guarded(possible.name));
  return false;
}

const DENIED = Symbol("denied");
const NO_ARGUMENTS: FieldArguments = Object.freeze({});
type Verdict = true | typeof DENIED | Error;

/**
 * Wraps the resolver of a field that produces objects of a type with a type-level rule, so each
 * object is checked as the field returns it, before any of its fields (or its `__typename`)
 * reach the client:
 * - a rule that reads `{source.…}` is checked on every object;
 * - a rule that needs no object is checked per field of the object as before, and here only
 *   when the selection asks for `__typename`, which has no resolver of its own to guard.
 * A denied object in a single-object position becomes null with FORBIDDEN (GraphQL's null
 * propagation applies). A denied item of a list is dropped without an error: an error or a
 * null per item would tell the caller how many objects it may not see.
 */
export function withholdDeniedObjects<TSource, TContext extends AuthContext | undefined, TArgs>(
  resolve: GraphQLFieldResolver<TSource, TContext, TArgs>,
  options: { schema: GraphQLSchema; plan: AuthorizationPlan; returnType: GraphQLOutputType; onWouldDeny?: WouldDenyListener | undefined },
): GraphQLFieldResolver<TSource, TContext, TArgs> {
  const { plan, schema, onWouldDeny } = options;
  const named = getNamedType(options.returnType);
  const abstract = isAbstractType(named) ? named : null;
  const concreteName = isObjectType(named) ? named.name : null;

  // Worked out once per type, so the per-object check is a lookup and one predicate call.
  const checks = new Map<string, { holds: ((claims: Claims, args: FieldArguments, source: unknown) => boolean) | null; reports: boolean }>();
  const checksFor = (typeName: string) => {
    let found = checks.get(typeName);
    if (!found) {
      const requirements = plan.objectGuards.get(typeName)?.requirements;
      found = {
        holds: requirements && requirements.rules.some((rule) => rule.enforce) ? requirements.holds : null,
        reports: requirements?.reportOnly != null && onWouldDeny !== undefined,
      };
      checks.set(typeName, found);
    }
    return found;
  };

  const verdict = (value: unknown, typeName: string, context: TContext, info: GraphQLResolveInfo): Verdict => {
    const claims = context?.auth?.claims;
    const { holds, reports } = checksFor(typeName);
    if (holds !== null) {
      if (claims == null) return UnauthenticatedError.fromRejection(context?.auth?.error);
      if (!holds(claims, NO_ARGUMENTS, value)) {
        return ForbiddenError.objectWithheld(typeName, plan.objectGuards.get(typeName)!.requirements.denial(claims, {}, value)!, completedMutation(info));
      }
    }
    if (reports) reportWouldDeny(plan.objectGuards.get(typeName)!.requirements, claims, {}, value, { coordinate: typeName, kind: "object" }, onWouldDeny, context);
    const typeGuard = plan.typeGuards.get(typeName);
    if (typeGuard && (claims == null || !typeGuard.holds(claims, {}, value)) && selectsTypename(info, typeName, schema)) {
      if (claims == null) return UnauthenticatedError.fromRejection(context?.auth?.error);
      return ForbiddenError.objectWithheld(typeName, typeGuard.denial(claims, {}, value)!, completedMutation(info));
    }
    return true;
  };

  /**
   * The common case, a list of one concrete type with an object rule and nothing else to do:
   * one predicate call per object. null when the general path is needed (promises, nulls,
   * __typename guards, reports).
   */
  const fastFilter = (value: Iterable<unknown>, context: TContext): unknown[] | null => {
    const { holds, reports } = checksFor(concreteName!);
    if (reports || plan.typeGuards.has(concreteName!)) return null;
    const items = Array.isArray(value) ? value : [...value];
    if (holds === null) return items;
    const claims = context?.auth?.claims;
    if (claims == null) return [];
    const kept: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (item == null || isThenable(item)) return null;
      if (holds(claims, NO_ARGUMENTS, item)) kept.push(item);
    }
    return kept;
  };

  const typeNameOf = (value: unknown, context: TContext, info: GraphQLResolveInfo): string | undefined | Promise<string | undefined> => {
    if (concreteName !== null) return concreteName;
    return resolveTypeName(abstract!, value, context, info, schema);
  };

  /** The checked value: DENIED for a withheld item, an Error to throw in a single position. */
  const check = (value: unknown, type: GraphQLOutputType, context: TContext, info: GraphQLResolveInfo): unknown => {
    if (value == null || value instanceof Error) return value;
    if (isThenable(value)) return value.then((settled) => check(settled, type, context, info));
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (!isIterable(value)) return value;
      if (concreteName !== null && !isListType(getNullableType(nullable.ofType))) {
        const fast = fastFilter(value, context);
        if (fast !== null) return fast;
      }
      const kept: unknown[] = [];
      let pending = false;
      for (const item of value) {
        const checked = checkItem(item, nullable.ofType, context, info);
        if (checked === DENIED) continue;
        if (!pending && isThenable(checked)) pending = true;
        kept.push(checked);
      }
      return pending ? Promise.all(kept).then((settled) => settled.filter((item) => item !== DENIED)) : kept;
    }
    const typeName = typeNameOf(value, context, info);
    const decide = (name: string | undefined) => {
      if (name === undefined) return value; // graphql reports the unresolved type itself
      const result = verdict(value, name, context, info);
      if (result instanceof Error) throw result;
      return value;
    };
    return isThenable(typeName) ? typeName.then(decide) : decide(typeName);
  };

  const checkItem = (item: unknown, type: GraphQLOutputType, context: TContext, info: GraphQLResolveInfo): unknown => {
    if (isThenable(item)) return item.then((settled) => checkItem(settled, type, context, info));
    if (item == null || item instanceof Error) return item;
    if (isListType(getNullableType(type))) return check(item, type, context, info);
    const typeName = typeNameOf(item, context, info);
    const decide = (name: string | undefined) => (name !== undefined && verdict(item, name, context, info) !== true ? DENIED : item);
    return isThenable(typeName) ? typeName.then(decide) : decide(typeName);
  };

  return function withheldResolver(source, args, context, info) {
    const result = resolve(source, args, context, info);
    return check(result, options.returnType, context, info);
  };
}

/** The mutation root field whose resolver just completed, when this is one. */
function completedMutation(info: GraphQLResolveInfo): string | undefined {
  return info.operation.operation === "mutation" && info.path.prev === undefined ? info.fieldName : undefined;
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** The concrete type of an object in an abstract position, as graphql-js would work it out. */
function resolveTypeName(
  type: GraphQLAbstractType,
  value: unknown,
  context: unknown,
  info: GraphQLResolveInfo,
  schema: GraphQLSchema,
): string | undefined | Promise<string | undefined> {
  if (type.resolveType) {
    const resolved = type.resolveType(value, context, info, type);
    return resolved as string | undefined | Promise<string | undefined>;
  }
  const typename = (value as { __typename?: unknown }).__typename;
  if (typeof typename === "string") return typename;
  for (const possible of schema.getPossibleTypes(type)) {
    if (possible.isTypeOf?.(value, context, info) === true) return possible.name;
  }
  return undefined;
}

/** Whether the field's selection asks for `__typename` on objects of `typeName` (fragments included). */
function selectsTypename(info: GraphQLResolveInfo, typeName: string, schema: GraphQLSchema): boolean {
  const type = schema.getType(typeName);
  const applies = (condition: string | undefined): boolean => {
    if (condition === undefined || condition === typeName) return true;
    const conditionType = schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && isObjectType(type) && schema.isSubType(conditionType, type);
  };
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode | undefined): boolean => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === "__typename") return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value) && walk(selection.selectionSet)) return true;
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = info.fragments[selection.name.value];
        if (fragment && applies(fragment.typeCondition.name.value) && walk(fragment.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => walk(node.selectionSet));
}

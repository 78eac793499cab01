import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isCompositeType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { planOf } from "./apply-requires-claims.js";
import type { AuthorizationPlan } from "./authorization-plan.js";

/**
 * True when no place an operation can reach carries a rule: no selected field is guarded (its
 * arguments and input fields included, which only guarded fields have), and no type it returns or
 * names in `__typename` has a type-level rule. Fragments count whatever their type condition, and
 * fields count whatever @skip/@include say, so the answer holds for every value of the variables
 * and every caller: the pre-execution analysis of such an operation can only answer "open", and
 * the server skips it (most mutations a client repeats, refresh and login among them, are such).
 * False when in doubt (no such operation).
 */
export function isUnguardedOperation(schema: GraphQLSchema, plan: AuthorizationPlan, document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return false;
  const root = operation.operation === "query" ? schema.getQueryType() : operation.operation === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  const guardedType = (name: string) => plan.typeGuards.has(name) || plan.objectGuards.has(name);
  /**
   * Fragments already walked on a parent type: a fragment's answer there does not change, so each
   * is walked once per parent type (repeated spreads would otherwise multiply the work).
   */
  const walked = new Set<string>();
  /** Every field of the selection on `parent`'s possible types. */
  const unguarded = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode): boolean => {
    const types = isObjectType(parent) ? [parent] : schema.getPossibleTypes(parent);
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!unguarded(parent, selection.selectionSet)) return false;
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) return false;
        const key = `${parent.name}\u0000${name}`;
        if (walked.has(key)) continue;
        walked.add(key);
        if (!unguarded(parent, fragment.selectionSet)) return false;
        continue;
      }
      for (const type of types) {
        if (selection.name.value === "__typename") {
          if (guardedType(type.name)) return false;
          continue;
        }
        const field = type.getFields()[selection.name.value];
        // A fragment on another type selects fields this one lacks; validation rejected real mistakes.
        if (!field) continue;
        if (plan.guards.has(`${type.name}.${field.name}`)) return false;
        const named = getNamedType(field.type);
        if (!isCompositeType(named)) continue;
        const returned = isObjectType(named) ? [named] : schema.getPossibleTypes(named);
        if (returned.some((each) => guardedType(each.name))) return false;
        if (selection.selectionSet && !unguarded(named, selection.selectionSet)) return false;
      }
    }
    return true;
  };
  return unguarded(root, operation.selectionSet);
}

/**
 * isUnguardedOperation remembered per document and operation name: the server's documents come
 * from Apollo's parsed-document cache (the same object for the same text), so a client repeating
 * an operation pays two map lookups.
 */
export function createUnguardedOperationCheck(schema: GraphQLSchema): (document: DocumentNode, operationName?: string | null) => boolean {
  const plan = planOf(schema);
  const answers = new WeakMap<DocumentNode, Map<string, boolean>>();
  return (document, operationName) => {
    let byName = answers.get(document);
    if (!byName) answers.set(document, (byName = new Map()));
    const name = operationName ?? "";
    let answer = byName.get(name);
    if (answer === undefined) byName.set(name, (answer = isUnguardedOperation(schema, plan, document, operationName)));
    return answer;
  };
}

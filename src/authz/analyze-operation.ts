import {
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLError,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { TokenRejection } from "../auth/caller.js";
import { planOf } from "./apply-requires-claims.js";
import { ForbiddenError, UnauthenticatedError } from "./authorization-errors.js";
import type { AuthorizationPlan } from "./authorization-plan.js";
import type { Claims } from "../auth/caller.js";
import type { FieldArguments } from "./match-claims.js";
import type { Denial, RequirementSet } from "./requirement-set.js";
import { suppliedGuardedInputs } from "./supplied-inputs.js";

/**
 * What the analysis says about one selected place:
 * - allowed: the claims (and the operation's arguments) satisfy every enforced rule;
 * - denied: they cannot, whatever the data;
 * - per-object: a rule reads the object, so it is checked on each object at run time;
 * - open: no rule applies.
 */
export type Outcome = "allowed" | "denied" | "per-object" | "open";

export interface AccessDecision {
  /** Response keys from the root, e.g. ["createPost", "secretNote"]; list positions are not known before execution. */
  readonly path: readonly string[];
  /** "Post.secretNote", "Mutation.createPost(input:)", "CreatePostInput.secretNote", or a type name for its objects. */
  readonly coordinate: string;
  readonly kind: "field" | "objects" | "typename" | "argument" | "input-field";
  readonly outcome: Outcome;
  /** For a denial: UNAUTHENTICATED without claims, FORBIDDEN otherwise. */
  readonly code?: "FORBIDDEN" | "UNAUTHENTICATED";
  readonly denial?: Denial;
  /** Where in the field's arguments, for arguments and input fields ("input.secretNote"). */
  readonly argument?: string;
  /** True when a rule with enforce: false would deny (reported, never enforced). */
  readonly wouldDeny?: boolean;
}

export interface OperationAnalysis {
  readonly operationType: "query" | "mutation" | "subscription" | null;
  /** Every decision, in document order. */
  readonly decisions: readonly AccessDecision[];
  /** The decisions that deny: a mutation with any is refused as a whole. */
  readonly denied: readonly AccessDecision[];
  /** Why the operation could not be analysed (no such operation, variables that do not coerce); empty otherwise. */
  readonly errors: readonly GraphQLError[];
}

export interface AnalyzeOperationOptions {
  /** A schema transformed by applyRequiresClaims (or any schema using the directive, with `plan`). */
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  /** The request's variables as sent (JSON). */
  readonly variables?: Readonly<Record<string, unknown>> | null | undefined;
  readonly operationName?: string | null | undefined;
  /** The caller's verified claims; null or undefined for an anonymous caller. */
  readonly claims: Claims | null | undefined;
  readonly plan?: AuthorizationPlan;
}

/**
 * Decides, before execution, every rule of a (validated) operation that can be decided without
 * data: claims, arguments and input fields supplied inline or through variables, type- and
 * field-level rules of every selected field, and `__typename`, through fragments, aliases,
 * interfaces and unions (a field reached through an abstract type is denied only when it is
 * denied on every possible type). Pure: the same inputs give the same answer, and nothing runs.
 */
export function analyzeOperation(options: AnalyzeOperationOptions): OperationAnalysis {
  const { schema, document, claims } = options;
  const plan = options.plan ?? planOf(schema);
  const operation = getOperationAST(document, options.operationName ?? undefined);
  if (!operation) {
    return { operationType: null, decisions: [], denied: [], errors: [new GraphQLError("The document has no operation of that name (or names several; choose one).")] };
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], options.variables ?? {}, { maxErrors: 10 });
  if (coerced.errors) return { operationType: operation.operation, decisions: [], denied: [], errors: coerced.errors };
  const root = rootType(schema, operation);
  if (!root) return { operationType: operation.operation, decisions: [], denied: [], errors: [new GraphQLError(`The schema has no ${operation.operation} type.`)] };

  const context: WalkContext = { schema, plan, claims: claims ?? null, variables: coerced.coerced, document, byPath: new Map() };
  walk(context, root, operation.selectionSet, []);
  const decisions = [...context.byPath.values()].map(merge);
  return { operationType: operation.operation, decisions, denied: decisions.filter((decision) => decision.outcome === "denied"), errors: [] };
}

/** One error per denied place, with its path (the same error once per path): what a refused operation answers. */
export function deniedErrors(analysis: OperationAnalysis, rejection?: TokenRejection | null): GraphQLError[] {
  const seen = new Set<string>();
  return analysis.denied.flatMap((decision) => {
    const error =
      decision.code === "UNAUTHENTICATED"
        ? UnauthenticatedError.fromRejection(rejection)
        : decision.kind === "argument" || decision.kind === "input-field"
          ? ForbiddenError.inputDenied(decision.argument ?? decision.coordinate, decision.coordinate, decision.denial!)
          : decision.kind === "objects" || decision.kind === "typename"
            ? ForbiddenError.objectWithheld(decision.coordinate.split(".")[0]!, decision.denial!)
            : ForbiddenError.fromDenial(decision.denial!);
    const key = `${decision.path.join(".")}\u0000${error.message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [new GraphQLError(error.message, { path: [...decision.path], extensions: error.extensions })];
  });
}

interface WalkContext {
  readonly schema: GraphQLSchema;
  readonly plan: AuthorizationPlan;
  readonly claims: Claims | null;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly document: DocumentNode;
  /** Decisions for the same place reached on several possible types, merged at the end. */
  readonly byPath: Map<string, AccessDecision[]>;
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType | null | undefined {
  if (operation.operation === "query") return schema.getQueryType();
  if (operation.operation === "mutation") return schema.getMutationType();
  return schema.getSubscriptionType();
}

function record(context: WalkContext, decision: AccessDecision): void {
  const key = `${decision.path.join("\u0000")}\u0001${decision.kind}\u0001${decision.argument ?? ""}`;
  const list = context.byPath.get(key);
  if (list) list.push(decision);
  else context.byPath.set(key, [decision]);
}

/** Several possible types: denied only if denied on each; allowed only if allowed (or open) on each. */
function merge(decisions: AccessDecision[]): AccessDecision {
  if (decisions.length === 1) return decisions[0]!;
  const outcomes = new Set(decisions.map((decision) => decision.outcome));
  const wouldDeny = decisions.some((decision) => decision.wouldDeny);
  if (outcomes.size === 1) return { ...decisions[0]!, ...(wouldDeny ? { wouldDeny } : {}) };
  if ([...outcomes].every((outcome) => outcome === "allowed" || outcome === "open")) return { ...decisions.find((d) => d.outcome === "allowed")!, wouldDeny };
  const { denial: _denial, code: _code, ...first } = decisions[0]!;
  return { ...first, coordinate: decisions.map((decision) => decision.coordinate).join(" | "), outcome: "per-object", ...(wouldDeny ? { wouldDeny } : {}) };
}

function included(node: FieldNode | { directives?: FieldNode["directives"] }, variables: Readonly<Record<string, unknown>>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, variables);
  if (skip?.["if"] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, variables);
  return include?.["if"] !== false;
}

/** The fields selected on objects of `type`, by response key, through fragments whose condition applies. */
function collectFields(context: WalkContext, type: GraphQLObjectType, selectionSet: SelectionSetNode, into = new Map<string, FieldNode[]>(), visited = new Set<string>()): Map<string, FieldNode[]> {
  const applies = (condition: string | undefined) => {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = context.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && context.schema.isSubType(conditionType, type);
  };
  for (const selection of selectionSet.selections) {
    if (!included(selection, context.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = into.get(key);
      if (list) list.push(selection);
      else into.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value)) collectFields(context, type, selection.selectionSet, into, visited);
    } else {
      const name = selection.name.value;
      if (visited.has(name)) continue;
      visited.add(name);
      const fragment = context.document.definitions.find((definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION && applies(fragment.typeCondition.name.value)) {
        collectFields(context, type, fragment.selectionSet, into, visited);
      }
    }
  }
  return into;
}

function walk(context: WalkContext, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, path: readonly string[]): void {
  const types = isObjectType(parent) ? [parent] : context.schema.getPossibleTypes(parent);
  for (const type of types) {
    for (const [key, nodes] of collectFields(context, type, selectionSet)) {
      const node = nodes[0]!;
      const fieldPath = [...path, key];
      if (node.name.value === "__typename") {
        record(context, typename(context, type, fieldPath));
        continue;
      }
      const field = type.getFields()[node.name.value];
      if (!field) continue; // validation reports it; nothing to decide here
      decideField(context, type, field, nodes, fieldPath);
      const named = getNamedType(field.type);
      if (!isCompositeType(named)) continue;
      decideObjects(context, named, fieldPath);
      for (const each of nodes) if (each.selectionSet) walk(context, named, each.selectionSet, fieldPath);
    }
  }
}

function decide(requirements: RequirementSet, claims: Claims | null, args: FieldArguments | undefined): Pick<AccessDecision, "outcome" | "code" | "denial" | "wouldDeny"> {
  const enforced = requirements.rules.some((rule) => rule.enforce);
  const wouldDeny = requirements.reportOnly !== null && (claims === null || requirements.reportOnly.decide(claims, args) === "denied");
  const extra = wouldDeny ? { wouldDeny } : {};
  if (!enforced) return { outcome: "allowed", ...extra };
  if (claims === null) return { outcome: "denied", code: "UNAUTHENTICATED", denial: { requiredClaims: [...requirements.sources] }, ...extra };
  const outcome = requirements.decide(claims, args);
  if (outcome === "allowed") return { outcome: "allowed", ...extra };
  if (outcome === "undecided") return { outcome: "per-object", ...extra };
  return { outcome: "denied", code: "FORBIDDEN", denial: requirements.denial(claims, args ?? {}, undefined)!, ...extra };
}

function typename(context: WalkContext, type: GraphQLObjectType, path: string[]): AccessDecision {
  const base = { path, coordinate: `${type.name}.__typename`, kind: "typename" as const };
  if (context.plan.objectGuards.has(type.name)) return { ...base, outcome: "per-object" };
  const guard = context.plan.typeGuards.get(type.name);
  return guard ? { ...base, ...decide(guard, context.claims, {}) } : { ...base, outcome: "open" };
}

function decideObjects(context: WalkContext, type: GraphQLCompositeType, path: string[]): void {
  const types = isObjectType(type) ? [type] : context.schema.getPossibleTypes(type);
  for (const each of types) {
    const guard = context.plan.objectGuards.get(each.name);
    if (guard) record(context, { path, coordinate: each.name, kind: "objects", ...decide(guard.requirements, context.claims, {}) });
  }
}

function decideField(context: WalkContext, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, nodes: FieldNode[], path: string[]): void {
  const coordinate = `${type.name}.${field.name}`;
  const guard = context.plan.guards.get(coordinate);
  if (!guard) {
    record(context, { path, coordinate, kind: "field", outcome: "open" });
    return;
  }
  let args: FieldArguments | undefined;
  try {
    args = getArgumentValues(field, nodes[0]!, context.variables);
  } catch {
    args = undefined; // graphql reports bad arguments itself; rules that read them stay undecided
  }
  const ruled = guard.requirements.rules.length > 0;
  record(context, { path, coordinate, kind: "field", ...(ruled ? decide(guard.requirements, context.claims, args) : { outcome: "open" as const }) });
  if (!guard.guardsInputs) return;
  for (const node of nodes) {
    for (const supplied of suppliedGuardedInputs(context.plan, type.name, field, node, context.variables)) {
      const kind = supplied.coordinate.includes("(") ? "argument" : "input-field";
      record(context, { path, coordinate: supplied.coordinate, kind, argument: supplied.argumentPath, ...decide(supplied.requirements, context.claims, args) });
    }
  }
}

import {
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  type ValueNode,
} from "graphql";
import type { AuthorizationPlan } from "./authorization-plan.js";
import type { RequirementSet } from "./requirement-set.js";

/** A guarded argument or input field that the operation supplies with a non-null value. */
export interface SuppliedInput {
  /** "Mutation.createPost(input:)" or "CreatePostInput.secretNote" */
  readonly coordinate: string;
  /** Where in the field's arguments: "input.secretNote", "inputs.0.secretNote" for lists literals, "inputs.secretNote" otherwise. */
  readonly argumentPath: string;
  readonly requirements: RequirementSet;
}

type Variables = Readonly<Record<string, unknown>>;

/**
 * Which guarded arguments and input fields one field node supplies, written inline or through
 * variables (`variables` are the coerced values, defaults of variable definitions included).
 * Guarded places have no default value (startup refuses one), so a coerced value is present
 * exactly when the caller supplied it.
 */
export function suppliedGuardedInputs(
  plan: AuthorizationPlan,
  typeName: string,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Variables,
): SuppliedInput[] {
  const found: SuppliedInput[] = [];
  for (const argNode of node.arguments ?? []) {
    const arg = field.args.find((candidate) => candidate.name === argNode.name.value);
    if (!arg) continue;
    const value = fromAst(argNode.value, variables);
    if (value === ABSENT) continue;
    const coordinate = `${typeName}.${field.name}(${arg.name}:)`;
    const requirements = plan.argumentGuards.get(coordinate);
    if (requirements) found.push({ coordinate, argumentPath: arg.name, requirements });
    walk(plan, arg.type, value, arg.name, found, variables);
  }
  return found;
}

const ABSENT = Symbol("absent");
type Value = { readonly ast: ValueNode } | { readonly raw: unknown };

/** The value of a node, ABSENT when it is null or an unset variable. */
function fromAst(node: ValueNode, variables: Variables): Value | typeof ABSENT {
  if (node.kind === Kind.NULL) return ABSENT;
  if (node.kind === Kind.VARIABLE) {
    const raw = variables[node.name.value];
    return raw == null ? ABSENT : { raw };
  }
  return { ast: node };
}

function walk(plan: AuthorizationPlan, type: GraphQLInputType, value: Value, path: string, found: SuppliedInput[], variables: Variables): void {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) {
    const itemType = nullable.ofType as GraphQLInputType;
    if ("ast" in value && value.ast.kind === Kind.LIST) {
      value.ast.values.forEach((item, i) => {
        const itemValue = fromAst(item, variables);
        if (itemValue !== ABSENT) walk(plan, itemType, itemValue, `${path}.${i}`, found, variables);
      });
    } else if ("raw" in value && Array.isArray(value.raw)) {
      value.raw.forEach((item, i) => {
        if (item != null) walk(plan, itemType, { raw: item }, `${path}.${i}`, found, variables);
      });
    } else {
      walk(plan, itemType, value, path, found, variables); // a single value where a list is expected
    }
    return;
  }
  if (!isInputObjectType(nullable)) return;
  const fields = nullable.getFields();
  const visit = (name: string, fieldValue: Value) => {
    const field = fields[name];
    if (!field) return;
    const coordinate = `${nullable.name}.${name}`;
    const requirements = plan.inputFieldGuards.get(coordinate);
    if (requirements) found.push({ coordinate, argumentPath: `${path}.${name}`, requirements });
    walk(plan, field.type, fieldValue, `${path}.${name}`, found, variables);
  };
  if ("ast" in value) {
    if (value.ast.kind !== Kind.OBJECT) return;
    for (const fieldNode of value.ast.fields) {
      const fieldValue = fromAst(fieldNode.value, variables);
      if (fieldValue !== ABSENT) visit(fieldNode.name.value, fieldValue);
    }
  } else if (typeof value.raw === "object" && value.raw !== null) {
    for (const [name, raw] of Object.entries(value.raw)) if (raw != null) visit(name, { raw });
  }
}

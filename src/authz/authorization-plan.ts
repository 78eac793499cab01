import { getDirective } from "@graphql-tools/utils";
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isLeafType,
  isObjectType,
} from "graphql";
import { type AccessRule, parseAccessRule, type RequiresClaimsArguments, RuleShapeError } from "./access-rule.js";
import { type ClaimRequirement, RequirementSyntaxError, SOURCE } from "./claim-requirement.js";
import { compileRuleSet, type RequirementSet } from "./requirement-set.js";
import { SchemaAuthorizationError } from "./schema-authorization-error.js";

export interface DirectiveNames {
  /** @default "requiresClaims" */
  readonly requiresClaims: string;
  /** @default "public" */
  readonly public: string;
}

/** What guards one field of an object type. */
export interface FieldGuard {
  readonly typeName: string;
  readonly fieldName: string;
  /** Checked before the field resolves: the field's own rules, its interface fields', and its type's rules that need no object. */
  readonly requirements: RequirementSet;
  /** True when an argument or an input field reachable from the arguments is guarded. */
  readonly guardsInputs: boolean;
}

/** A type-level rule that reads the object: checked on each object as the field that produces it returns it. */
export interface ObjectGuard {
  readonly typeName: string;
  readonly requirements: RequirementSet;
}

/** The effective requirements of every guarded place, and the root fields marked public. */
export interface AuthorizationPlan {
  /** Keyed by "Type.field"; fields absent here are not guarded. */
  readonly guards: ReadonlyMap<string, FieldGuard>;
  readonly publicRootFields: readonly string[];
  /** Type-level requirements of object and interface types, by type name (as written, every alternative). */
  readonly typeRequirements: ReadonlyMap<string, readonly string[]>;
  /** Type-level rules that read the object, by object type name (interfaces' included). */
  readonly objectGuards: ReadonlyMap<string, ObjectGuard>;
  /** Type-level rules that need no object, by object type name: what `__typename` on the type requires. */
  readonly typeGuards: ReadonlyMap<string, RequirementSet>;
  /** Keyed by "Type.field(argument:)". */
  readonly argumentGuards: ReadonlyMap<string, RequirementSet>;
  /** Keyed by "Input.field". */
  readonly inputFieldGuards: ReadonlyMap<string, RequirementSet>;
}

type TypeWithFields = GraphQLObjectType | GraphQLInterfaceType;
type Directable = TypeWithFields | GraphQLField<unknown, unknown> | GraphQLArgument | GraphQLInputField;

/** Where a rule is, and what its placeholders may refer to. */
interface PlaceholderScope {
  readonly where: string;
  /** Arguments `{arg}` may name; null when no argument placeholder is allowed here. */
  readonly args: readonly GraphQLArgument[] | null;
  readonly argsReason?: string;
  /** The type `{source.field}` reads; null when the object is not available here. */
  readonly sourceType: TypeWithFields | null;
  readonly sourceReason?: string;
}

/**
 * Works out, once at startup, the rules that apply to every field (its own, its type's and
 * those of every interface the type implements, so a fragment on a concrete type cannot bypass
 * an interface's rule), every object-level rule, and every guarded argument and input field.
 * Collects every problem, each naming its field coordinate, before throwing.
 */
export function planAuthorization(schema: GraphQLSchema, names: DirectiveNames): AuthorizationPlan {
  const problems: string[] = [];
  const parsed = new Map<string, ClaimRequirement>();
  const ruleCache = new Map<Directable, AccessRule[] | undefined>();

  const rulesOn = (node: Directable, where: string): AccessRule[] | undefined => {
    if (ruleCache.has(node)) return ruleCache.get(node);
    const uses = getDirective(schema, node, names.requiresClaims) as RequiresClaimsArguments[] | undefined;
    let rules: AccessRule[] | undefined;
    if (uses && uses.length > 0) {
      rules = [];
      for (const use of uses) {
        try {
          rules.push(parseAccessRule(use, parsed));
        } catch (error) {
          if (!(error instanceof RequirementSyntaxError || error instanceof RuleShapeError)) throw error;
          problems.push(`${where}: ${error.message}`);
        }
      }
    }
    ruleCache.set(node, rules);
    return rules;
  };
  const isPublic = (field: GraphQLField<unknown, unknown>): boolean => (getDirective(schema, field, names.public)?.length ?? 0) > 0;
  const checked = new Set<string>();
  const check = (rule: AccessRule, scope: PlaceholderScope): void => {
    for (const problem of placeholderProblems(rule, scope)) {
      const text = `${scope.where}: ${problem}`;
      if (!checked.has(text)) problems.push(text);
      checked.add(text);
    }
  };

  const guards = new Map<string, FieldGuard>();
  const objectGuards = new Map<string, ObjectGuard>();
  const typeGuards = new Map<string, RequirementSet>();
  const argumentGuards = new Map<string, RequirementSet>();
  const inputFieldGuards = new Map<string, RequirementSet>();
  const publicRootFields: string[] = [];
  const typeRequirements = new Map<string, readonly string[]>();
  const unguardedRootFields: string[] = [];
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type != null));

  // Input objects first: a field with a guarded input anywhere in its arguments checks what callers supply.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInputObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const where = `${type.name}.${field.name}`;
      const rules = rulesOn(field, where);
      if (!rules) continue;
      const reason = "a rule on an input field is checked before execution, from the claims alone";
      for (const rule of rules) check(rule, { where, args: null, argsReason: reason, sourceType: null, sourceReason: reason });
      // A default would make every request "supply" the field: the rule would apply to callers who never sent it.
      if (field.defaultValue !== undefined) problems.push(`${where}: a guarded input field cannot have a default value`);
      inputFieldGuards.set(where, compileRuleSet(rules));
    }
  }
  const guardedInputs = new Map<string, boolean>();
  const inputIsGuarded = (type: GraphQLInputType): boolean => {
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return false;
    const known = guardedInputs.get(named.name);
    if (known !== undefined) return known;
    guardedInputs.set(named.name, false); // cycles: assume not while looking
    const guarded = Object.values(named.getFields()).some((field) => inputFieldGuards.has(`${named.name}.${field.name}`) || inputIsGuarded(field.type));
    guardedInputs.set(named.name, guarded);
    return guarded;
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    const interfaces = type.getInterfaces();
    const own = rulesOn(type, type.name);
    const typeLevel = [
      ...(own ?? []).map((rule) => ({ rule, where: type.name, on: type as TypeWithFields })),
      ...interfaces.flatMap((iface) => (rulesOn(iface, iface.name) ?? []).map((rule) => ({ rule, where: iface.name, on: iface as TypeWithFields }))),
    ];
    if (own !== undefined) typeRequirements.set(type.name, own.flatMap((rule) => rule.alternatives.flat().map((r) => r.source)));

    const objectRules = typeLevel.filter(({ rule }) => rule.readsSource);
    const perFieldTypeRules = typeLevel.filter(({ rule }) => !rule.readsSource);
    for (const { rule, where, on } of objectRules) {
      check(rule, {
        where,
        args: null,
        argsReason: "a type-level rule that reads {source.…} is checked on each object, where no field's arguments apply",
        sourceType: on,
      });
    }
    if (objectRules.length > 0) objectGuards.set(type.name, { typeName: type.name, requirements: compileRuleSet(objectRules.map(({ rule }) => rule)) });
    if (perFieldTypeRules.length > 0) typeGuards.set(type.name, compileRuleSet(perFieldTypeRules.map(({ rule }) => rule)));

    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const ownField = rulesOn(field, coordinate);
      const interfaceFieldRules = interfaces.flatMap((iface) => {
        const ifaceField = iface.getFields()[field.name];
        return ifaceField ? (rulesOn(ifaceField, `${iface.name}.${field.name}`) ?? []) : [];
      });
      const fieldRules = [...perFieldTypeRules.map(({ rule }) => rule), ...interfaceFieldRules, ...(ownField ?? [])];
      const guardedFromAbove = typeLevel.length > 0 || interfaceFieldRules.length > 0;
      const fieldIsPublic = isPublic(field);
      const sourceClash = field.args.some((arg) => arg.name === SOURCE);
      const fieldScope: PlaceholderScope = {
        where: coordinate,
        args: field.args,
        sourceType: type,
        ...(sourceClash ? { sourceReason: `${coordinate} has an argument named "${SOURCE}", which {${SOURCE}.…} would shadow; rename it` } : {}),
      };

      if (fieldIsPublic && ownField !== undefined) problems.push(`${coordinate} has both @${names.public} and @${names.requiresClaims}; keep one`);
      if (fieldIsPublic && guardedFromAbove) problems.push(`${coordinate} is @${names.public}, but its type or an interface requires claims for every field`);
      if (rootTypes.has(type)) {
        if (fieldIsPublic) publicRootFields.push(coordinate);
        else if (ownField === undefined && !guardedFromAbove) unguardedRootFields.push(coordinate);
      }
      for (const rule of perFieldTypeRules) check(rule.rule, { ...fieldScope, sourceType: null });
      for (const rule of [...interfaceFieldRules, ...(ownField ?? [])]) {
        check(rule, sourceClash && rule.readsSource ? { ...fieldScope, sourceType: null } : fieldScope);
      }

      for (const arg of field.args) {
        const where = `${coordinate}(${arg.name}:)`;
        const argRules = rulesOn(arg, where);
        if (!argRules) continue;
        for (const rule of argRules) {
          check(rule, { where, args: field.args, sourceType: null, sourceReason: "a rule on an argument is checked before execution, without the object" });
        }
        if (arg.defaultValue !== undefined) problems.push(`${where}: a guarded argument cannot have a default value`);
        argumentGuards.set(where, compileRuleSet(argRules));
      }
      const guardsInputs = field.args.some((arg) => argumentGuards.has(`${coordinate}(${arg.name}:)`) || inputIsGuarded(arg.type));
      if (fieldRules.length > 0 || guardsInputs) {
        guards.set(coordinate, { typeName: type.name, fieldName: field.name, requirements: compileRuleSet(fieldRules), guardsInputs });
      }
    }
  }

  // Interfaces are checked on their own too, so a mistake there is reported even with no implementation yet.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    const typeLevel = rulesOn(type, type.name);
    if (typeLevel !== undefined) typeRequirements.set(type.name, typeLevel.flatMap((rule) => rule.alternatives.flat().map((r) => r.source)));
    for (const rule of typeLevel ?? []) if (rule.readsSource) check(rule, { where: type.name, args: null, sourceType: type });
    for (const field of Object.values(type.getFields())) rulesOn(field, `${type.name}.${field.name}`);
  }

  if (unguardedRootFields.length > 0) {
    problems.unshift(
      `every root field needs @${names.requiresClaims}(claims: [...]) or @${names.public}; missing on: ${unguardedRootFields.join(", ")}`,
    );
  }
  if (problems.length > 0) throw new SchemaAuthorizationError([...new Set(problems)]);
  return { guards, publicRootFields, typeRequirements, objectGuards, typeGuards, argumentGuards, inputFieldGuards };
}

/** Every placeholder of the rule that names something that does not exist, or is not allowed where the rule is. */
function placeholderProblems(rule: AccessRule, scope: PlaceholderScope): string[] {
  const problems: string[] = [];
  for (const requirement of rule.alternatives.flat()) {
    if (requirement.kind === "truthy") continue;
    const sourceFields = requirement.kind === "sourceTruthy" ? [requirement.field] : requirement.sourceFields;
    for (const field of sourceFields) {
      if (scope.sourceType === null) {
        problems.push(`claim requirement "${requirement.source}" reads {${SOURCE}.${field}}, but ${scope.sourceReason ?? "no object is available here"}`);
        continue;
      }
      const target = scope.sourceType.getFields()[field];
      if (!target) {
        problems.push(`claim requirement "${requirement.source}" reads {${SOURCE}.${field}}, but ${scope.sourceType.name} has no field "${field}"`);
      } else if (!isLeafType(getNamedType(target.type))) {
        problems.push(`claim requirement "${requirement.source}" reads {${SOURCE}.${field}}, but ${scope.sourceType.name}.${field} is not a scalar or enum`);
      }
    }
    if (requirement.kind !== "oneOf") continue;
    for (const template of requirement.values) {
      for (const segment of template.segments) {
        if (!("argument" in segment)) continue;
        if (scope.args === null) {
          problems.push(`claim requirement "${requirement.source}" uses {${segment.argument}}, but ${scope.argsReason ?? "no arguments apply here"}`);
          continue;
        }
        const arg = scope.args.find((candidate) => candidate.name === segment.argument);
        if (!arg) {
          problems.push(`claim requirement "${requirement.source}" uses {${segment.argument}}, but the field has no argument "${segment.argument}"`);
          continue;
        }
        const pathProblem = inputPathProblem(arg, segment.path ?? []);
        if (pathProblem) problems.push(`claim requirement "${requirement.source}": ${pathProblem}`);
      }
    }
  }
  return problems;
}

/** Why `{arg.a.b}` does not lead to a scalar, or null when it does. */
function inputPathProblem(arg: GraphQLArgument, path: readonly string[]): string | null {
  let type: GraphQLNamedType = getNamedType(arg.type);
  let walked = arg.name;
  for (const step of path) {
    if (!isInputObjectType(type)) return `{${walked}.${step}}: ${walked} is ${type.name}, not an input object`;
    const field: GraphQLInputField | undefined = type.getFields()[step];
    if (!field) return `{${walked}.${step}}: ${type.name} has no field "${step}"`;
    walked = `${walked}.${step}`;
    type = getNamedType(field.type);
  }
  if (!isLeafType(type)) return `{${walked}} is the input object ${type.name}; name one of its fields, e.g. {${walked}.${Object.keys((type as { getFields(): object }).getFields())[0]}}`;
  return null;
}


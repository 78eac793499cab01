import { MapperKind, mapSchema } from "@graphql-tools/utils";
import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
} from "graphql";
import type { AuthContext } from "../auth/caller.js";
import type { AccessRule } from "./access-rule.js";
import { type AuthorizationPlan, type DirectiveNames, planAuthorization } from "./authorization-plan.js";
import { describeRules } from "./describe-rules.js";
import { guardResolver } from "./guard-resolver.js";
import { producesGuardedObjects, withholdDeniedObjects } from "./object-guard.js";
import type { WouldDenyListener } from "./would-deny.js";

export interface ApplyRequiresClaimsOptions {
  /** Directive names, for schemas that already use ours for something else. */
  directiveNames?: Partial<DirectiveNames>;
  /**
   * Appends "Requires claims: …" to the description of every guarded field, type, argument and
   * input field, so Sandbox's docs panel and generated client types show the rule next to it.
   * @default true
   */
  describeRequirements?: boolean;
  /**
   * Called when a rule with `enforce: false` would have denied (the request goes on as if it
   * held). The server logs `authorization_would_deny` and counts it in /metrics.
   */
  onWouldDeny?: WouldDenyListener;
}

/** Field extension that marks a field as already guarded, so applying the transform twice is harmless. */
export const GUARD_EXTENSION = "claimgateRequirements";
/** Schema extension holding the plan, so the pre-execution analysis finds it on the schema it is given. */
export const PLAN_EXTENSION = "claimgateAuthorizationPlan";

const DEFAULT_NAMES: DirectiveNames = { requiresClaims: "requiresClaims", public: "public" };

/**
 * Enforces `@requiresClaims` on an executable schema: every guarded field's resolver (the
 * default one included) and subscription source first checks `contextValue.auth.claims`, and
 * the guarded arguments and input fields the operation supplies; every field producing objects
 * of a type with an object-level rule checks each object as it returns it.
 * Throws SchemaAuthorizationError, listing every problem, when a root field carries neither
 * `@requiresClaims` nor `@public` or a rule is malformed.
 */
export function applyRequiresClaims(schema: GraphQLSchema, options: ApplyRequiresClaimsOptions = {}): GraphQLSchema {
  if (isGuarded(schema)) return schema;
  const plan = planAuthorization(schema, { ...DEFAULT_NAMES, ...options.directiveNames });
  const describe = options.describeRequirements ?? true;
  const { onWouldDeny } = options;
  const withDescription = (description: string | null | undefined, text: string | null) =>
    !describe || text === null ? description : description ? `${description}\n\n${text}` : text;

  const describeType = <T extends GraphQLObjectType | GraphQLInterfaceType>(type: T, rebuild: (config: ReturnType<T["toConfig"]>) => T): T => {
    const text = typeDescription(plan, type.name);
    if (!describe || text === null) return type;
    const config = type.toConfig() as ReturnType<T["toConfig"]>;
    return rebuild({ ...config, description: withDescription(config.description, text) });
  };

  const mapped = mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => describeType(type, (config) => new GraphQLObjectType(config)),
    [MapperKind.INTERFACE_TYPE]: (type) => describeType(type, (config) => new GraphQLInterfaceType(config)),
    [MapperKind.INPUT_OBJECT_TYPE]: (type) => {
      if (!describe) return type;
      const config = type.toConfig();
      const fields = Object.fromEntries(
        Object.entries(config.fields).map(([name, field]) => {
          const guard = plan.inputFieldGuards.get(`${type.name}.${name}`);
          return [name, guard ? { ...field, description: withDescription(field.description, describeRules(guard.rules)) } : field];
        }),
      );
      return new GraphQLInputObjectType({ ...config, fields });
    },
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const guard = plan.guards.get(coordinate);
      const produces = producesGuardedObjects(schema, plan, fieldConfig.type);
      if (!guard && !produces) return fieldConfig;
      // The context is read as AuthContext; graphql-tools types it as unknown.
      let resolve = (fieldConfig.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, AuthContext | undefined>;
      let subscribe = fieldConfig.subscribe as GraphQLFieldResolver<unknown, AuthContext | undefined> | undefined;
      if (guard) {
        resolve = guardResolver(resolve, { plan, guard, onWouldDeny });
        if (subscribe) subscribe = guardResolver(subscribe, { plan, guard, onWouldDeny });
      }
      if (produces) resolve = withholdDeniedObjects(resolve, { schema, plan, returnType: fieldConfig.type, onWouldDeny });
      const args = fieldConfig.args
        ? Object.fromEntries(
            Object.entries(fieldConfig.args).map(([name, arg]) => {
              const argGuard = plan.argumentGuards.get(`${coordinate}(${name}:)`);
              return [name, argGuard ? { ...arg, description: withDescription(arg.description, describeRules(argGuard.rules)) } : arg];
            }),
          )
        : fieldConfig.args;
      const rules = guard?.requirements.rules ?? [];
      return {
        ...fieldConfig,
        args,
        description: rules.length > 0 ? withDescription(fieldConfig.description, describeRules(rules, { objectName: typeName })) : fieldConfig.description,
        resolve: resolve as GraphQLFieldResolver<unknown, unknown>,
        ...(subscribe ? { subscribe: subscribe as GraphQLFieldResolver<unknown, unknown> } : {}),
        extensions: { ...fieldConfig.extensions, [GUARD_EXTENSION]: guard?.requirements.sources ?? [] },
      };
    },
  });
  // The plan travels with the schema, so analyzeOperation(schema, …) needs nothing else.
  Object.defineProperty(mapped, PLAN_EXTENSION, { value: plan, enumerable: false });
  return mapped;
}

/** The plan applyRequiresClaims attached to a schema, or a fresh one for a schema it did not transform. */
export function planOf(schema: GraphQLSchema, options: ApplyRequiresClaimsOptions = {}): AuthorizationPlan {
  const attached = (schema as unknown as Record<string, AuthorizationPlan | undefined>)[PLAN_EXTENSION];
  if (attached) return attached;
  let plan = plans.get(schema);
  if (!plan) {
    plan = describeAuthorization(schema, options);
    plans.set(schema, plan);
  }
  return plan;
}
const plans = new WeakMap<GraphQLSchema, AuthorizationPlan>();

/** The effective requirements of every guarded place, for reports and tooling. */
export function describeAuthorization(schema: GraphQLSchema, options: ApplyRequiresClaimsOptions = {}): AuthorizationPlan {
  return planAuthorization(schema, { ...DEFAULT_NAMES, ...options.directiveNames });
}

export function requirementText(sources: readonly string[], scope?: string): string {
  const on = scope ? ` (on ${scope})` : "";
  return sources.length === 0 ? `Requires a valid access token${on}.` : `Requires claims${on}: ${sources.join(", ")}.`;
}

/** What a type's own rules say: per-field ones "on every field", object-level ones "on each object". */
function typeDescription(plan: AuthorizationPlan, typeName: string): string | null {
  const parts: string[] = [];
  const perField: AccessRule[] = plan.typeGuards.get(typeName)?.rules.slice() ?? [];
  const perObject: AccessRule[] = plan.objectGuards.get(typeName)?.requirements.rules.slice() ?? [];
  if (perField.length > 0) parts.push(describeRules(perField, { scope: "every field" }));
  if (perObject.length > 0) {
    parts.push(`${describeRules(perObject, { objectName: typeName, scope: `each ${typeName}, checked as it is returned` })}`);
  }
  if (parts.length === 0 && plan.typeRequirements.has(typeName)) {
    // An interface: its rules apply to the types implementing it.
    parts.push(`Rules of this interface apply to every implementing type: ${plan.typeRequirements.get(typeName)!.join(", ")}.`);
  }
  return parts.length > 0 ? parts.join(" ") : null;
}

function isGuarded(schema: GraphQLSchema): boolean {
  if ((schema as unknown as Record<string, unknown>)[PLAN_EXTENSION] !== undefined) return true;
  return Object.values(schema.getTypeMap()).some(
    (type) => isObjectType(type) && Object.values(type.getFields()).some((field) => field.extensions[GUARD_EXTENSION] !== undefined),
  );
}

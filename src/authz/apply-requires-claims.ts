import { MapperKind, mapSchema } from "@graphql-tools/utils";
import { defaultFieldResolver, GraphQLInterfaceType, GraphQLObjectType, type GraphQLSchema, isObjectType } from "graphql";
import { type AuthorizationPlan, type DirectiveNames, planAuthorization } from "./authorization-plan.js";
import { guardResolver } from "./guard-resolver.js";

export interface ApplyRequiresClaimsOptions {
  /** Directive names, for schemas that already use ours for something else. */
  directiveNames?: Partial<DirectiveNames>;
  /**
   * Appends "Requires claims: …" to the description of every guarded field, so Sandbox's
   * docs panel and generated client types show the rule next to the field.
   * @default true
   */
  describeRequirements?: boolean;
}

/** Field extension that marks a field as already guarded, so applying the transform twice is harmless. */
export const GUARD_EXTENSION = "claimgateRequirements";

const DEFAULT_NAMES: DirectiveNames = { requiresClaims: "requiresClaims", public: "public" };

/**
 * Enforces `@requiresClaims` on an executable schema: every guarded field's resolver (the
 * default one included) and subscription source first checks `contextValue.auth.claims`.
 * Throws SchemaAuthorizationError, listing every problem, when a root field carries neither
 * `@requiresClaims` nor `@public` or a requirement is malformed.
 */
export function applyRequiresClaims(schema: GraphQLSchema, options: ApplyRequiresClaimsOptions = {}): GraphQLSchema {
  if (isGuarded(schema)) return schema;
  const plan = planAuthorization(schema, { ...DEFAULT_NAMES, ...options.directiveNames });
  const describe = options.describeRequirements ?? true;

  const describeType = <T extends GraphQLObjectType | GraphQLInterfaceType>(type: T, rebuild: (config: ReturnType<T["toConfig"]>) => T): T => {
    const sources = plan.typeRequirements.get(type.name);
    if (!describe || sources === undefined) return type;
    const config = type.toConfig() as ReturnType<T["toConfig"]>;
    return rebuild({ ...config, description: appendRequirement(config.description, sources, "every field") });
  };

  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => describeType(type, (config) => new GraphQLObjectType(config)),
    [MapperKind.INTERFACE_TYPE]: (type) => describeType(type, (config) => new GraphQLInterfaceType(config)),
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const guard = plan.guards.get(`${typeName}.${fieldName}`);
      if (!guard) return fieldConfig;
      const { requirements } = guard;
      return {
        ...fieldConfig,
        description: describe ? appendRequirement(fieldConfig.description, requirements.sources) : fieldConfig.description,
        resolve: guardResolver(fieldConfig.resolve ?? defaultFieldResolver, requirements),
        ...(fieldConfig.subscribe ? { subscribe: guardResolver(fieldConfig.subscribe, requirements) } : {}),
        extensions: { ...fieldConfig.extensions, [GUARD_EXTENSION]: requirements.sources },
      };
    },
  });
}

/** The effective requirements of every guarded field, for reports and tooling. */
export function describeAuthorization(schema: GraphQLSchema, options: ApplyRequiresClaimsOptions = {}): AuthorizationPlan {
  return planAuthorization(schema, { ...DEFAULT_NAMES, ...options.directiveNames });
}

export function requirementText(sources: readonly string[], scope?: string): string {
  const on = scope ? ` (on ${scope})` : "";
  return sources.length === 0 ? `Requires a valid access token${on}.` : `Requires claims${on}: ${sources.join(", ")}.`;
}

function appendRequirement(description: string | null | undefined, sources: readonly string[], scope?: string): string {
  const text = requirementText(sources, scope);
  return description ? `${description}\n\n${text}` : text;
}

function isGuarded(schema: GraphQLSchema): boolean {
  return Object.values(schema.getTypeMap()).some(
    (type) => isObjectType(type) && Object.values(type.getFields()).some((field) => field.extensions[GUARD_EXTENSION] !== undefined),
  );
}

import { getDirective } from "@graphql-tools/utils";
import {
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
} from "graphql";
import { type ClaimRequirement, RequirementSyntaxError } from "./claim-requirement.js";
import { compileRequirements, RequirementPlaceholderError, type RequirementSet } from "./requirement-set.js";
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
  readonly requirements: RequirementSet;
}

/** The effective requirements of every guarded field, and the root fields marked public. */
export interface AuthorizationPlan {
  /** Keyed by "Type.field"; fields absent here are not guarded. */
  readonly guards: ReadonlyMap<string, FieldGuard>;
  readonly publicRootFields: readonly string[];
  /** Type-level requirements of object and interface types, by type name. */
  readonly typeRequirements: ReadonlyMap<string, readonly string[]>;
}

type TypeWithFields = GraphQLObjectType | GraphQLInterfaceType;

/**
 * Works out, for every object field, the requirements that apply to it: its own, its type's,
 * and those of every interface the type implements (type- and field-level), so a fragment on
 * a concrete type cannot bypass an interface's rule. Collects every problem before throwing.
 */
export function planAuthorization(schema: GraphQLSchema, names: DirectiveNames): AuthorizationPlan {
  const problems: string[] = [];
  const parsed = new Map<string, ClaimRequirement>();
  const guards = new Map<string, FieldGuard>();
  const publicRootFields: string[] = [];
  const typeRequirements = new Map<string, readonly string[]>();

  const requirementsOn = (node: TypeWithFields | GraphQLField<unknown, unknown>): string[] | undefined => {
    const uses = getDirective(schema, node, names.requiresClaims);
    if (!uses || uses.length === 0) return undefined;
    return uses.flatMap((use) => (use["claims"] as string[] | undefined) ?? []);
  };
  const isPublic = (field: GraphQLField<unknown, unknown>): boolean =>
    (getDirective(schema, field, names.public)?.length ?? 0) > 0;

  const rootTypes = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type != null),
  );
  const unguardedRootFields: string[] = [];

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    const interfaces = type.getInterfaces();
    const typeLevel = requirementsOn(type);
    if (typeLevel !== undefined) typeRequirements.set(type.name, typeLevel);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const own = requirementsOn(field);
      const interfaceLevel = interfaces.flatMap((iface) => {
        const ifaceField = iface.getFields()[field.name];
        return [requirementsOn(iface), ifaceField && requirementsOn(ifaceField)].filter((list) => list !== undefined);
      });
      const guardedFromAbove = typeLevel !== undefined || interfaceLevel.length > 0;
      const guarded = own !== undefined || guardedFromAbove;
      const fieldIsPublic = isPublic(field);

      if (fieldIsPublic && own !== undefined) {
        problems.push(`${coordinate} has both @${names.public} and @${names.requiresClaims}; keep one`);
      }
      if (fieldIsPublic && guardedFromAbove) {
        problems.push(`${coordinate} is @${names.public}, but its type or an interface requires claims for every field`);
      }
      if (rootTypes.has(type)) {
        if (fieldIsPublic) publicRootFields.push(coordinate);
        else if (!guarded) unguardedRootFields.push(coordinate);
      }

      if (!guarded) continue;
      const sources = [...new Set([...(typeLevel ?? []), ...interfaceLevel.flat(), ...(own ?? [])])];
      try {
        const requirements = compileRequirements({
          sources,
          argumentNames: field.args.map((arg) => arg.name),
          parsed,
        });
        guards.set(coordinate, { typeName: type.name, fieldName: field.name, requirements });
      } catch (error) {
        if (error instanceof RequirementSyntaxError || error instanceof RequirementPlaceholderError) {
          problems.push(`${coordinate}: ${error.message}`);
        } else {
          throw error;
        }
      }
    }
  }

  // Interfaces are checked on their own too, so a mistake there is reported even with no implementation yet.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    const typeLevel = requirementsOn(type);
    if (typeLevel !== undefined) typeRequirements.set(type.name, typeLevel);
    for (const source of typeLevel ?? []) checkSyntax(`${type.name}`, source, parsed, problems);
    for (const field of Object.values(type.getFields())) {
      for (const source of requirementsOn(field) ?? []) checkSyntax(`${type.name}.${field.name}`, source, parsed, problems);
    }
  }

  if (unguardedRootFields.length > 0) {
    problems.unshift(
      `every root field needs @${names.requiresClaims}(claims: [...]) or @${names.public}; missing on: ${unguardedRootFields.join(", ")}`,
    );
  }
  if (problems.length > 0) throw new SchemaAuthorizationError([...new Set(problems)]);
  return { guards, publicRootFields, typeRequirements };
}

function checkSyntax(where: string, source: string, parsed: Map<string, ClaimRequirement>, problems: string[]): void {
  try {
    compileRequirements({ sources: [source], argumentNames: [], parsed });
  } catch (error) {
    if (error instanceof RequirementSyntaxError) problems.push(`${where}: ${error.message}`);
    // Placeholders are checked against each implementing field, which carries the arguments.
    else if (!(error instanceof RequirementPlaceholderError)) throw error;
  }
}

import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLSchema } from "graphql";
import { applyRequiresClaims, type ApplyRequiresClaimsOptions } from "../authz/apply-requires-claims.js";
import { SCHEMA_PATH } from "../project-root.js";
import { assertRootResolvers } from "./missing-resolvers-error.js";
import { recordMutationEffects } from "./mutation-effects.js";
import { resolvers } from "./resolvers/index.js";

export function readTypeDefs(path = SCHEMA_PATH): string {
  return readFileSync(path, "utf8");
}

export interface BuildSchemaOptions extends ApplyRequiresClaimsOptions {
  /**
   * Stop when a root field has no resolver. Off only for `npm run generate`, which must run
   * before the new field's resolver can be typed. @default true
   */
  readonly requireRootResolvers?: boolean;
}

/** The executable schema, loaded from schema.graphql, with every `@requiresClaims` enforced. */
export function buildSchema(typeDefs = readTypeDefs(), options: BuildSchemaOptions = {}): GraphQLSchema {
  const { requireRootResolvers, ...authorization } = options;
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  if (requireRootResolvers !== false) assertRootResolvers(schema);
  // Effects are recorded on the resolvers themselves, inside the authorization wrapping: a result
  // an object rule withholds after the resolver ran still took effect.
  return applyRequiresClaims(recordMutationEffects(schema), authorization);
}

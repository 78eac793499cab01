import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLSchema } from "graphql";
import { applyRequiresClaims, type ApplyRequiresClaimsOptions } from "../authz/apply-requires-claims.js";
import { SCHEMA_PATH } from "../project-root.js";
import { resolvers } from "./resolvers/index.js";

export function readTypeDefs(path = SCHEMA_PATH): string {
  return readFileSync(path, "utf8");
}

/** The executable schema, loaded from schema.graphql, with every `@requiresClaims` enforced. */
export function buildSchema(typeDefs = readTypeDefs(), options: ApplyRequiresClaimsOptions = {}): GraphQLSchema {
  return applyRequiresClaims(makeExecutableSchema({ typeDefs, resolvers }), options);
}

import { type GraphQLSchema, isObjectType } from "graphql";

const RESOLVER_FILES: Record<string, string> = {
  Query: "src/graphql/resolvers/query.ts",
  Mutation: "src/graphql/resolvers/mutation.ts",
  Subscription: "src/graphql/resolvers/subscription.ts",
};

/** schema.graphql declares root fields that no resolver answers; startup stops, naming each. */
export class MissingResolversError extends Error {
  readonly code = "ERR_MISSING_RESOLVERS";
  constructor(readonly fields: readonly string[]) {
    super(
      `schema.graphql declares root fields without a resolver:\n${fields
        .map((field) => `  - ${field}: add it to ${RESOLVER_FILES[field.split(".")[0]!] ?? "src/graphql/resolvers/"}`)
        .join("\n")}`,
    );
    this.name = "MissingResolversError";
  }
}

/**
 * Every field of Query, Mutation and Subscription needs a resolver: without one it would answer
 * null (or "Cannot return null for non-nullable field") at run time instead of failing now.
 */
export function assertRootResolvers(schema: GraphQLSchema): void {
  const missing: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root || !isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      if (!field.resolve && !field.subscribe) missing.push(`${root.name}.${field.name}`);
    }
  }
  if (missing.length > 0) throw new MissingResolversError(missing);
}

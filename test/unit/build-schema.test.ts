import { describe, expect, it } from "vitest";
import { buildSchema, readTypeDefs } from "../../src/graphql/build-schema.js";
import { MissingResolversError } from "../../src/graphql/missing-resolvers-error.js";

describe("buildSchema", () => {
  it("stops when a root field has no resolver, naming every one and where it goes", () => {
    const typeDefs = `${readTypeDefs()}
extend type Query { serverInfo: String! @public }
extend type Mutation { ping: Boolean! @public }`;
    expect(() => buildSchema(typeDefs)).toThrow(MissingResolversError);
    expect(() => buildSchema(typeDefs)).toThrow(
      "schema.graphql declares root fields without a resolver:\n" +
        "  - Query.serverInfo: add it to src/graphql/resolvers/query.ts\n" +
        "  - Mutation.ping: add it to src/graphql/resolvers/mutation.ts",
    );
  });

  it("builds without the check for code generation, which runs before the resolver exists", () => {
    const schema = buildSchema(`${readTypeDefs()}\nextend type Query { serverInfo: String! @public }`, { requireRootResolvers: false });
    expect(schema.getQueryType()!.getFields()["serverInfo"]).toBeDefined();
  });

  it("accepts this repository's schema", () => {
    expect(() => buildSchema()).not.toThrow();
  });
});

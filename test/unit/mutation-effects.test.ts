import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { mutationTookEffect, recordMutationEffects } from "../../src/graphql/mutation-effects.js";

const writes: string[] = [];
const schema = recordMutationEffects(
  makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      type Item { id: ID!, broken: String! }
      type Query { item: Item }
      type Mutation { save(id: ID!): Item!, saveLater(id: ID!): Item!, refuse: Item!, noResolver: String }
    `,
    resolvers: {
      Query: { item: () => ({ id: "1" }) },
      Item: {
        broken: () => {
          throw new Error("withheld");
        },
      },
      Mutation: {
        save: (_: unknown, { id }: { id: string }) => (writes.push(id), { id }),
        saveLater: async (_: unknown, { id }: { id: string }) => (writes.push(id), { id }),
        refuse: () => {
          throw new Error("refused");
        },
      },
    },
  }),
);
const run = async (query: string) => {
  const context = {};
  const result = await execute({ schema, document: parse(query), contextValue: context, rootValue: {} });
  return { tookEffect: mutationTookEffect(context), data: result.data ?? null };
};

describe("recordMutationEffects", () => {
  it("records a mutation whose root field resolved even when its result is withheld (data: null)", async () => {
    expect(await run(`mutation { save(id: "a") { id broken } }`)).toEqual({ tookEffect: true, data: null });
    expect(await run(`mutation { saveLater(id: "b") { id broken } }`)).toEqual({ tookEffect: true, data: null });
    expect(writes).toEqual(["a", "b"]);
  });

  it("records nothing when the root field throws, for queries, or for another request's context", async () => {
    expect((await run(`mutation { refuse { id } }`)).tookEffect).toBe(false);
    expect((await run(`{ item { id } }`)).tookEffect).toBe(false);
    expect(mutationTookEffect({})).toBe(false);
  });

  it("wraps fields without their own resolver (the default resolver reads the root value)", async () => {
    expect(await run(`mutation { noResolver }`)).toEqual({ tookEffect: true, data: { noResolver: null } });
  });
});

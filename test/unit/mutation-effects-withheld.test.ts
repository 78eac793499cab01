// README "Errors": a mutation whose root resolver completed answers 200 even when its result is
// withheld. buildSchema records mutation effects on the resolvers before applyRequiresClaims wraps
// them; this checks that composition, where an object rule withholds the root field's result
// after the resolver ran.
import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { applyRequiresClaims } from "../../src/authz/apply-requires-claims.js";
import { mutationTookEffect, recordMutationEffects } from "../../src/graphql/mutation-effects.js";
import { responseStatus } from "../../src/server/response-status.js";
import { DIRECTIVE_DECLARATIONS } from "../support/directive-declarations.js";

const typeDefs = /* GraphQL */ `
      ${DIRECTIVE_DECLARATIONS}
  type Doc @requiresClaims(claims: ["sub={source.owner}"]) { owner: ID }
  type Query { ok: Int @public }
  type Mutation { make(owner: ID!): Doc! @requiresClaims(claims: []) }
`;

describe("a mutation whose result an object rule withholds after its resolver ran", () => {
  it("counts as having taken effect, so the status table answers 200 as the error message says", async () => {
    const writes: string[] = [];
    // The order buildSchema uses.
    const schema = applyRequiresClaims(
      recordMutationEffects(makeExecutableSchema({ typeDefs, resolvers: { Mutation: { make: async (_: unknown, { owner }: { owner: string }) => (writes.push(owner), { owner }) } } })),
    );
    const context = { auth: { claims: { sub: "u1" } } };
    const result = await execute({ schema, document: parse(`mutation { make(owner: "u2") { owner } }`), contextValue: context });
    expect(writes).toEqual(["u2"]);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", withheld: true, mutationCompleted: true });
    const status = responseStatus({
      mediaType: "application/graphql-response+json",
      data: result.data,
      errors: result.errors?.map((error) => error.toJSON()),
      mutationEffect: mutationTookEffect(context),
      realm: "claimgate",
      currentStatus: undefined,
    });
    expect({ tookEffect: mutationTookEffect(context), status: status.status }).toEqual({ tookEffect: true, status: 200 });
  });
});

describe("a mutation resolver that returns a thenable which is not a Promise", () => {
  // graphql-js (isPromise) and Apollo's willResolveField, which this replaced, treat any object
  // with a `then` method as pending; a query builder's lazy result (Prisma's PrismaPromise, a
  // Knex builder) is such a thenable. Recording "took effect" on return counts a write that fails.
  it("is not recorded as having taken effect when the thenable rejects", async () => {
    const schema = recordMutationEffects(
      makeExecutableSchema({
        typeDefs: `type Query { ok: Int } type Mutation { save: Int! }`,
        resolvers: { Mutation: { save: () => ({ then: (onFulfilled?: (value: number) => unknown, onRejected?: (error: Error) => unknown) => Promise.reject(new Error("unique constraint failed")).then(onFulfilled, onRejected) }) } },
      }),
    );
    const context = {};
    const result = await execute({ schema, document: parse(`mutation { save }`), contextValue: context });
    expect(result.errors?.[0]?.message).toBe("unique constraint failed");
    expect(mutationTookEffect(context)).toBe(false);
  });
});

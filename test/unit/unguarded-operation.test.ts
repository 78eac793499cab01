import { makeExecutableSchema } from "@graphql-tools/schema";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { analyzeOperation } from "../../src/authz/analyze-operation.js";
import { applyRequiresClaims, planOf } from "../../src/authz/apply-requires-claims.js";
import { createUnguardedOperationCheck, isUnguardedOperation } from "../../src/authz/unguarded-operation.js";
import { DIRECTIVE_DECLARATIONS } from "../support/directive-declarations.js";

const schema = applyRequiresClaims(
  makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      ${DIRECTIVE_DECLARATIONS}
      interface Node { id: ID! }
      type Account implements Node { id: ID!, email: String!, secret: String @requiresClaims(claims: ["role=admin"]) }
      type Tokens { accessToken: String!, account: Account! }
      type Post implements Node @requiresClaims(anyOf: [["sub={source.authorId}"], ["role=admin"]]) { id: ID!, authorId: ID! }
      type Label implements Node @requiresClaims(claims: ["labels"]) { id: ID! }
      union Thing = Post | Label
      input NoteInput { text: String!, pinned: Boolean @requiresClaims(claims: ["role=admin"]) }
      type Query { hello: String @public }
      type Mutation {
        login(email: String!): Tokens! @public
        ping: String @public
        node(id: ID!): Node @public
        thing: Thing @public
        note(input: NoteInput!): String @public
        audited(id: ID! @requiresClaims(claims: ["role=admin"])): String @public
        createPost: Post! @requiresClaims(claims: ["posts:write"])
      }
    `,
  }),
);
const plan = planOf(schema);
const unguarded = (query: string, operationName?: string) => isUnguardedOperation(schema, plan, parse(query), operationName);
const denialsWithoutClaims = (query: string, variables: Record<string, unknown> = {}) =>
  analyzeOperation({ schema, document: parse(query), variables, claims: null }).denied.length;

describe("isUnguardedOperation", () => {
  it("is true for an operation that reaches no rule, nested selections and __typename included", () => {
    expect(unguarded(`mutation { login(email: "a@b.c") { accessToken account { id email __typename } } ping }`)).toBe(true);
  });

  it("is false as soon as one selected field is guarded, however deep", () => {
    const query = `mutation { login(email: "a@b.c") { account { secret } } }`;
    expect(unguarded(query)).toBe(false);
    expect(denialsWithoutClaims(query)).toBe(1);
  });

  it("is false for a guarded field behind @skip or @include: the answer must hold for every variable value", () => {
    const query = `mutation ($hide: Boolean!) { login(email: "a@b.c") { account { secret @skip(if: $hide) } } }`;
    expect(unguarded(query)).toBe(false);
    expect(denialsWithoutClaims(query, { hide: false })).toBe(1);
  });

  it("is false for guarded arguments and input fields, which only some variable values supply", () => {
    const viaInput = `mutation ($input: NoteInput!) { note(input: $input) }`;
    expect(unguarded(viaInput)).toBe(false);
    expect(denialsWithoutClaims(viaInput, { input: { text: "x", pinned: true } })).toBe(1);
    expect(unguarded(`mutation { audited(id: "1") }`)).toBe(false);
  });

  it("is false when a returned type has a type-level rule, through interfaces, unions and fragments", () => {
    expect(unguarded(`mutation { node(id: "1") { id } }`)).toBe(false);
    expect(unguarded(`mutation { thing { __typename } }`)).toBe(false);
    expect(unguarded(`mutation { createPost { id } }`)).toBe(false);
    expect(unguarded(`mutation { login(email: "a") { ...A } } fragment A on Tokens { account { ... on Account { secret } } }`)).toBe(false);
  });

  it("picks the named operation, and answers false when there is no such operation", () => {
    const document = `mutation Safe { ping } mutation Unsafe { createPost { id } }`;
    expect(unguarded(document, "Safe")).toBe(true);
    expect(unguarded(document, "Unsafe")).toBe(false);
    expect(unguarded(document)).toBe(false);
    expect(unguarded(document, "Missing")).toBe(false);
  });

  it("remembers the answer per document object and operation name", () => {
    const check = createUnguardedOperationCheck(schema);
    const document = parse(`mutation Safe { ping } mutation Unsafe { createPost { id } }`);
    expect([check(document, "Safe"), check(document, "Unsafe"), check(document, "Safe")]).toEqual([true, false, true]);
  });
});

describe("isUnguardedOperation on repeated fragment spreads", () => {
  it("walks each fragment once per parent type: 30 levels of doubled spreads answer at once", () => {
    // F0 spreads F1 twice, F1 spreads F2 twice, …: walked naively that is 2^30 visits.
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Mutation { ping }` : `fragment F${i} on Mutation { ...F${i + 1} ...F${i + 1} }`,
    ).join("\n");
    const started = performance.now();
    expect(unguarded(`mutation { ...F0 }\n${fragments}`)).toBe(true);
    // Generous: the naive walk takes minutes; this takes well under a millisecond.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(unguarded(`mutation { ...F0 ...G }\n${fragments}\nfragment G on Mutation { createPost { id } }`)).toBe(false);
  });
});

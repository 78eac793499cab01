import { createHash } from "node:crypto";
import { buildSchema, GraphQLError, type ValidationRule } from "graphql";
import { describe, expect, it } from "vitest";
import { PreparedDocuments } from "../../src/server/prepared-documents.js";

const schema = buildSchema("type Query { a: Int, b(n: Int!): Int }");
const prepared = (options: { maxEntries?: number; maxQueryLength?: number; maxTotalLength?: number; validationRules?: ValidationRule[] } = {}) =>
  new PreparedDocuments({ schema, validationRules: options.validationRules ?? [], parseOptions: { maxTokens: 50 }, ...options });

describe("PreparedDocuments", () => {
  it("gives a valid query's document and Apollo's query hash, the same object on every later request", () => {
    const documents = prepared();
    const first = documents.get("{ a }");
    expect(first?.document.definitions).toHaveLength(1);
    expect(first?.queryHash).toBe(createHash("sha256").update("{ a }").digest("hex"));
    expect(documents.get("{ a }")).toBe(first);
  });

  it("refuses what Apollo would refuse: syntax errors, unknown fields, missing arguments, too many tokens, a failing rule", () => {
    const refuseAll: ValidationRule = (context) => ({ Field: (node) => context.reportError(new GraphQLError(`no ${node.name.value}`)) });
    expect(prepared().get("{ a ")).toBeNull();
    expect(prepared().get("{ c }")).toBeNull();
    expect(prepared().get("{ b }")).toBeNull();
    expect(prepared().get(`{ ${"a ".repeat(60)}}`)).toBeNull();
    expect(prepared({ validationRules: [refuseAll] }).get("{ a }")).toBeNull();
  });

  it("remembers at most maxEntries texts, letting the least recently used go first", () => {
    const documents = prepared({ maxEntries: 3 });
    const one = documents.get("{ one: a }");
    documents.get("{ two: a }");
    documents.get("{ three: a }");
    expect(documents.get("{ one: a }")).toBe(one); // now the most recent
    documents.get("{ four: a }"); // evicts "two"
    expect(documents.size).toBe(3);
    expect(documents.get("{ one: a }")).toBe(one);
    const four = documents.get("{ four: a }");
    for (let i = 0; i < 100; i++) documents.get(`{ x${i}: a }`);
    expect(documents.size).toBe(3);
    expect(documents.get("{ four: a }")).not.toBe(four);
  });

  it("keeps the remembered texts under maxTotalLength characters, invalid ones included, dropping the least recently used", () => {
    const documents = prepared({ maxTotalLength: 40 });
    const texts = ["{ a1: a }", "{ a2: a }", "{ nope }", "{ a3: a }"]; // 9 + 9 + 8 + 9 = 35 characters
    for (const text of texts) documents.get(text);
    expect(documents.totalLength).toBe(35);
    documents.get("{ a4: a }"); // 44 > 40: the oldest text leaves
    expect(documents.size).toBe(4);
    expect(documents.totalLength).toBe(35);
    for (let i = 10; i < 60; i++) documents.get(`{ b${i}: a }`);
    expect(documents.totalLength).toBeLessThanOrEqual(40);
  });

  it("neither prepares nor remembers a text longer than maxQueryLength", () => {
    const documents = prepared({ maxQueryLength: 10 });
    expect(documents.get("{ a b: a }")).not.toBeNull();
    expect(documents.get("{ aa: a b: a }")).toBeNull();
    expect(documents.size).toBe(1);
  });
});

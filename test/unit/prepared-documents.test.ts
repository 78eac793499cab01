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

  it("neither prepares nor remembers a text longer than maxQueryLength", () => {
    const documents = prepared({ maxQueryLength: 10 });
    expect(documents.get("{ a b: a }")).not.toBeNull();
    expect(documents.get("{ aa: a b: a }")).toBeNull();
    expect(documents.size).toBe(1);
  });

  it("keeps at most maxTotalTokens tokens of parsed documents, comments included, however many entries would fit", () => {
    // Distinct valid texts of a thousand tokens each, as a client may send without end. Comments
    // escape the parser's token limit, yet the document keeps each one: 32 000 of them in a 64 KiB
    // text held 2.8 MB, so 1000 such entries would have held gigabytes.
    const documents = new PreparedDocuments({ schema, validationRules: [], parseOptions: { maxTokens: 50 } });
    for (let i = 0; i < 1000; i++) expect(documents.get(`{ x${i}: a }\n${"#\n".repeat(990)}`)).not.toBeNull();
    expect(documents.held.tokens).toBeLessThanOrEqual(100_000);
    expect(documents.held.tokens).toBeGreaterThan(90_000);
    expect(documents.size).toBeLessThan(101);
    // The most recent stay; a small document still finds room.
    const small = documents.get("{ a }");
    expect(documents.get("{ a }")).toBe(small);
    expect(documents.held.tokens).toBeLessThanOrEqual(100_000);
  });

  it("keeps at most maxTotalLength characters of query text, invalid texts included", () => {
    const documents = prepared({ maxTotalLength: 1000 });
    for (let i = 0; i < 100; i++) expect(documents.get(`# ${i} ${"x".repeat(300)}\n{ c }`)).toBeNull();
    expect(documents.held.length).toBeLessThanOrEqual(1000);
    expect(documents.size).toBe(3);
  });

  it("answers a text larger than a whole budget without remembering it", () => {
    const documents = new PreparedDocuments({ schema, validationRules: [], parseOptions: {}, maxTotalTokens: 10 });
    expect(documents.get("{ a }")).not.toBeNull();
    expect(documents.get(`{ ${"a ".repeat(20)}}`)).not.toBeNull();
    expect(documents.size).toBe(1);
    expect(documents.held.tokens).toBe(5);
  });
});

import { makeExecutableSchema } from "@graphql-tools/schema";
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { analyzeOperation, deniedErrors } from "../../src/authz/analyze-operation.js";
import { applyRequiresClaims } from "../../src/authz/apply-requires-claims.js";
import { createOperationAnalyzer } from "../../src/authz/operation-analyzer.js";
import { DIRECTIVE_DECLARATIONS } from "../support/directive-declarations.js";

const schema = applyRequiresClaims(
  makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      ${DIRECTIVE_DECLARATIONS}
      interface Node { id: ID! }
      type Post implements Node @requiresClaims(anyOf: [["posts:read", "{source.published}"], ["sub={source.authorId}"], ["role=admin"]]) {
        id: ID!
        authorId: ID!
        published: Boolean!
        secretNote: String @requiresClaims(claims: ["role=admin"])
        audit: String @requiresClaims(claims: ["role=auditor"], enforce: false)
      }
      type Label implements Node @requiresClaims(claims: ["labels"]) { id: ID!, name: String }
      union Thing = Post | Label
      input PostInput { title: String!, secretNote: String @requiresClaims(claims: ["role=admin"]), teamId: ID }
      type Query {
        post(id: ID!): Post @requiresClaims(claims: [])
        node(id: ID!): Node @requiresClaims(claims: [])
        things: [Thing!]! @requiresClaims(claims: [])
        team(teamId: ID!): String @requiresClaims(claims: ["teams={teamId}"])
        hello: String @public
      }
      type Mutation {
        createPost(input: PostInput!): Post! @requiresClaims(claims: ["posts:write"])
        createPosts(inputs: [PostInput!]!, dryRun: Boolean @requiresClaims(claims: ["role=admin"])): Int @requiresClaims(claims: ["teams={inputs.teamId}"])
      }
    `,
  }),
);

const analyze = (query: string, claims: Record<string, unknown> | null, variables?: Record<string, unknown>, operationName?: string) =>
  analyzeOperation({ schema, document: parse(query), claims, variables, operationName });
const summary = (query: string, claims: Record<string, unknown> | null, variables?: Record<string, unknown>) =>
  analyze(query, claims, variables).decisions.map((d) => `${d.path.join(".")} ${d.kind} ${d.coordinate} ${d.outcome}${d.wouldDeny ? " (would deny)" : ""}`);

describe("analyzeOperation", () => {
  it("decides every selected field, with object rules left to run time", () => {
    expect(summary(`{ post(id: "1") { id secretNote audit __typename } hello }`, { sub: "u", "posts:read": true })).toEqual([
      "post field Query.post allowed",
      "post objects Post per-object",
      "post.id field Post.id open",
      "post.secretNote field Post.secretNote denied",
      "post.audit field Post.audit allowed (would deny)",
      "post.__typename typename Post.__typename per-object",
      "hello field Query.hello open",
    ]);
  });

  it("follows aliases, fragments, inline fragments and @skip/@include with variables", () => {
    const query = `query ($skip: Boolean!) { p: post(id: "1") { ...F ... on Post { n: secretNote @skip(if: $skip) } } } fragment F on Post { secretNote }`;
    const decisions = analyze(query, { sub: "u" }, { skip: true }).decisions;
    expect(decisions.filter((d) => d.outcome === "denied").map((d) => d.path.join("."))).toEqual(["p.secretNote"]);
    const both = analyze(query, { sub: "u" }, { skip: false }).denied.map((d) => d.path.join("."));
    expect(both).toEqual(["p.secretNote", "p.n"]);
  });

  it("through interfaces and unions: denied only when denied on every possible type", () => {
    const onNode = summary(`{ node(id: "1") { __typename id } }`, { sub: "u" });
    expect(onNode).toContain("node.__typename typename Post.__typename | Label.__typename per-object");
    const labelsOnly = analyze(`{ things { ... on Label { name } } }`, { sub: "u" }).denied.map((d) => d.coordinate);
    expect(labelsOnly).toEqual(["Label.name"]);
    expect(analyze(`{ things { ... on Label { name __typename } } }`, { sub: "u", labels: 1 }).denied).toEqual([]);
  });

  it("decides the object rule itself when the claims alone decide it", () => {
    const admin = analyze(`{ post(id: "1") { id } }`, { role: "admin" }).decisions.find((d) => d.kind === "objects");
    expect(admin?.outcome).toBe("allowed");
    const nobody = analyze(`{ post(id: "1") { id } }`, { email: "x" }).decisions.find((d) => d.kind === "objects");
    expect(nobody?.outcome).toBe("denied");
  });

  it("fills argument templates from literals and variables", () => {
    expect(analyze(`{ team(teamId: "a") }`, { teams: ["a"] }).denied).toEqual([]);
    const denied = analyze(`query ($t: ID!) { team(teamId: $t) }`, { teams: ["a"] }, { t: "b" }).denied;
    expect(denied).toEqual([expect.objectContaining({ coordinate: "Query.team", denial: { requiredClaims: ["teams=b"] } })]);
  });

  it("finds guarded arguments and input fields, inline, in variables and in lists", () => {
    const inline = analyze(`mutation { createPost(input: { title: "t", secretNote: "s" }) { id } }`, { "posts:write": true, sub: "u" });
    expect(inline.denied.map((d) => [d.kind, d.coordinate, d.argument])).toEqual([["input-field", "PostInput.secretNote", "input.secretNote"]]);
    const variables = analyze(`mutation ($i: [PostInput!]!) { createPosts(inputs: $i, dryRun: true) }`, { teams: ["t"] }, { i: [{ title: "a", teamId: "t" }, { title: "b", secretNote: "s", teamId: "t" }] });
    expect(variables.denied.map((d) => d.argument ?? d.coordinate)).toEqual(["inputs.1.secretNote", "dryRun"]);
    const nullNote = analyze(`mutation ($n: String) { createPost(input: { title: "t", secretNote: $n }) { id } }`, { "posts:write": true, sub: "u" }, {});
    expect(nullNote.denied).toEqual([]);
  });

  it("anonymous callers are denied with UNAUTHENTICATED; public fields stay open", () => {
    const result = analyze(`mutation { createPost(input: { title: "t" }) { id } }`, null);
    expect(result.denied.map((d) => [d.path.join("."), d.code])).toEqual([
      ["createPost", "UNAUTHENTICATED"],
      ["createPost", "UNAUTHENTICATED"],
    ]);
    expect(deniedErrors(result).map((error) => error.extensions["code"])).toEqual(["UNAUTHENTICATED"]); // one per path
    expect(analyze(`{ hello }`, null).denied).toEqual([]);
  });

  it("turns denials into errors with paths, codes and the missing requirements", () => {
    const result = analyze(`mutation { createPost(input: { title: "t", secretNote: "s" }) { secretNote } }`, { "posts:write": true, sub: "u" });
    expect(deniedErrors(result).map((error) => ({ path: error.path, ...error.extensions }))).toEqual([
      { path: ["createPost"], code: "FORBIDDEN", reason: "MISSING_CLAIMS", requiredClaims: ["role=admin"], argument: "input.secretNote" },
      { path: ["createPost", "secretNote"], code: "FORBIDDEN", reason: "MISSING_CLAIMS", requiredClaims: ["role=admin"] },
    ]);
  });

  it("reports documents it cannot analyse instead of guessing", () => {
    expect(analyze(`query A { hello } query B { hello }`, {}).errors[0]!.message).toMatch(/no operation of that name/);
    expect(analyze(`query ($t: ID!) { team(teamId: $t) }`, {}, {}).errors[0]!.message).toMatch(/\$t/);
    expect(analyze(`query A { hello } query B { hello }`, {}, undefined, "B").errors).toEqual([]);
  });
});

describe("createOperationAnalyzer", () => {
  it("answers a repeated document, claims, operation and variables from its cache, and nothing else", () => {
    const analyzeCached = createOperationAnalyzer(schema);
    const document = parse(`query ($t: ID!) { team(teamId: $t) }`);
    const claims = { teams: ["a"] };
    const first = analyzeCached({ document, claims, variables: { t: "a" } });
    expect(analyzeCached({ document, claims, variables: { t: "a" } })).toBe(first);
    const other = analyzeCached({ document, claims, variables: { t: "b" } });
    expect(other).not.toBe(first);
    expect(other.denied).toHaveLength(1);
    expect(analyzeCached({ document, claims: { teams: ["b"] }, variables: { t: "b" } }).denied).toEqual([]);
    expect(analyzeCached({ document, claims: null, variables: { t: "b" } }).denied[0]!.code).toBe("UNAUTHENTICATED");
  });
});

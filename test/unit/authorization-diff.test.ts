import { makeExecutableSchema } from "@graphql-tools/schema";
import { describe, expect, it } from "vitest";
import { applyRequiresClaims, describeAuthorization } from "../../src/authz/apply-requires-claims.js";
import { diffAuthorization } from "../../src/authz/authorization-diff.js";

const DIRECTIVES = /* GraphQL */ `
  directive @requiresClaims(claims: [String!], anyOf: [[String!]!], enforce: Boolean = true)
    on OBJECT | INTERFACE | FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
  directive @public on FIELD_DEFINITION
`;

function load(typeDefs: string) {
  const schema = applyRequiresClaims(makeExecutableSchema({ typeDefs: DIRECTIVES + typeDefs }), { describeRequirements: false });
  return { schema, plan: describeAuthorization(schema) };
}

const BASE = `
  type Doc @requiresClaims(anyOf: [["sub={source.owner}"], ["role=admin"]]) { owner: ID, note: String @requiresClaims(claims: ["role=admin", "mfa"]) }
  type Tag @requiresClaims(claims: ["tags"]) { name: String }
  input In { secret: String @requiresClaims(claims: ["role=admin"]) }
  type Query {
    doc(in: In, archived: Boolean @requiresClaims(claims: ["role=admin"])): Doc @requiresClaims(claims: ["docs=read"])
    other: Int @requiresClaims(claims: [])
    tag: Tag @requiresClaims(claims: [])
  }
`;

function changes(next: string) {
  const diff = diffAuthorization(load(BASE), load(next));
  return diff.entries.map((entry) => `${entry.change} ${entry.coordinate}: ${entry.reasons.join("; ")}`);
}

describe("diffAuthorization", () => {
  it("finds nothing when nothing changed", () => {
    const diff = diffAuthorization(load(BASE), load(BASE));
    expect(diff.entries).toEqual([]);
    expect(diff.weaker).toBe(0);
    expect(diff.unchanged).toBeGreaterThan(5);
  });

  it.each([
    ["a rule removed", `note: String @requiresClaims(claims: ["role=admin", "mfa"])`, `note: String`, "weaker Doc.note: rule removed"],
    ["a requirement dropped from an AND list", `["role=admin", "mfa"]`, `["role=admin"]`, "weaker Doc.note: requirement dropped from an AND list: mfa"],
    ["an alternative added to anyOf", `anyOf: [["sub={source.owner}"], ["role=admin"]]`, `anyOf: [["sub={source.owner}"], ["role=admin"], ["role=editor"]]`, "weaker Doc: alternative added to anyOf: [role=editor]"],
    ["a | value added", `claims: ["docs=read"]`, `claims: ["docs=read|write"]`, "weaker Query.doc: a | alternative added: docs=read|write"],
    ["@public added", `other: Int @requiresClaims(claims: [])`, `other: Int @public`, "weaker Query.other: @public added"],
    ["enforce: false introduced", `["role=admin", "mfa"]) }`, `["role=admin", "mfa"], enforce: false) }`, "weaker Doc.note: enforce: false introduced"],
    ["a type-level rule removed", `type Doc @requiresClaims(anyOf: [["sub={source.owner}"], ["role=admin"]])`, `type Doc`, "weaker Doc: rule removed"],
    ["a claims-only type-level rule removed", `type Tag @requiresClaims(claims: ["tags"])`, `type Tag`, "weaker Tag (every field): rule removed: tags"],
    ["an input field's rule removed", `secret: String @requiresClaims(claims: ["role=admin"])`, `secret: String`, "weaker In.secret: rule removed: role=admin"],
    ["an argument's rule removed", `archived: Boolean @requiresClaims(claims: ["role=admin"])`, `archived: Boolean`, "weaker Query.doc(archived:): rule removed"],
  ])("weaker: %s", (_name, from, to, expected) => {
    expect(BASE).toContain(from);
    const result = changes(BASE.replace(from, to));
    expect(result).toContainEqual(expect.stringMatching(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)));
  });

  it("reports stronger protection without failing", () => {
    const next = BASE.replace(`["role=admin", "mfa"]`, `["role=admin", "mfa", "email_verified"]`).replace(`claims: ["docs=read"]`, `claims: ["docs=read", "mfa"]`);
    const diff = diffAuthorization(load(BASE), load(next));
    expect(diff.weaker).toBe(0);
    expect(diff.entries.map((entry) => [entry.change, entry.coordinate])).toEqual([
      ["stronger", "Doc.note"],
      ["stronger", "Query.doc"],
    ]);
  });

  it("a narrower | list or a requirement replaced by a stricter one is not weaker", () => {
    const next = BASE.replace(`claims: ["docs=read"]`, `claims: ["docs=read|write"]`);
    expect(diffAuthorization(load(next), load(BASE)).weaker).toBe(0);
  });

  it("lists places added and removed without calling them weaker", () => {
    const next = BASE.replace("other: Int @requiresClaims(claims: [])", "another: Int @requiresClaims(claims: [])");
    expect(changes(next)).toEqual(["added Query.another: ", "removed Query.other: "]);
  });
});

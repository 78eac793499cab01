import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, type GraphQLSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { parseAccessRule, RuleShapeError } from "../../src/authz/access-rule.js";
import { applyRequiresClaims } from "../../src/authz/apply-requires-claims.js";
import { parseClaimRequirement, RequirementSyntaxError } from "../../src/authz/claim-requirement.js";
import { satisfiesRequirement } from "../../src/authz/match-claims.js";
import { compileRuleSet } from "../../src/authz/requirement-set.js";
import { SchemaAuthorizationError } from "../../src/authz/schema-authorization-error.js";
import type { WouldDenyEvent } from "../../src/authz/would-deny.js";

const DIRECTIVES = /* GraphQL */ `
  directive @requiresClaims(claims: [String!], anyOf: [[String!]!], enforce: Boolean = true)
    repeatable on OBJECT | INTERFACE | FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
  directive @public on FIELD_DEFINITION
`;

function build(typeDefs: string, resolvers: Record<string, any> = {}, onWouldDeny?: (event: WouldDenyEvent) => void): GraphQLSchema {
  return applyRequiresClaims(makeExecutableSchema({ typeDefs: DIRECTIVES + typeDefs, resolvers }), onWouldDeny ? { onWouldDeny } : {});
}

async function run(schema: GraphQLSchema, query: string, claims: Record<string, unknown> | null, variableValues?: Record<string, unknown>) {
  const result = await execute({ schema, document: parse(query), contextValue: { auth: { claims } }, variableValues: variableValues ?? null });
  return {
    data: result.data,
    errors: (result.errors ?? []).map((e): Record<string, unknown> => ({ path: e.path?.join("."), message: e.message, ...e.extensions })),
  };
}

function problemsOf(typeDefs: string): readonly string[] {
  try {
    build(typeDefs);
  } catch (error) {
    if (error instanceof SchemaAuthorizationError) return error.problems;
    throw error;
  }
  return [];
}

describe("grammar: new forms", () => {
  it("reads {source.field} alone as 'the object's field is truthy'", () => {
    expect(parseClaimRequirement("{source.published}")).toEqual({ kind: "sourceTruthy", field: "published", source: "{source.published}" });
  });

  it("reads {source.field} and {arg.path} inside values", () => {
    expect(parseClaimRequirement("sub={source.authorId}")).toMatchObject({ kind: "oneOf", claim: "sub", sourceFields: ["authorId"], arguments: [] });
    const nested = parseClaimRequirement("teams={input.team.id}");
    expect(nested).toMatchObject({ arguments: ["input"], sourceFields: [] });
    expect(nested.kind === "oneOf" && nested.values[0]!.segments).toEqual([{ argument: "input", path: ["team", "id"] }]);
  });

  it.each([
    ["{teamId}", "only {source.<field>} may stand alone"],
    ["{source}", "must name exactly one field"],
    ["sub={source}", "must name exactly one field"],
    ["sub={source.a.b}", "must name exactly one field"],
    ["{source.published}x", "only {source.<field>} may stand alone"],
    ["team={input.}", "is not a placeholder"],
  ])("refuses %j: %s", (source, reason) => {
    expect(() => parseClaimRequirement(source)).toThrow(RequirementSyntaxError);
    expect(() => parseClaimRequirement(source)).toThrow(reason);
  });

  it("takes exactly one of claims and anyOf, and at least one alternative", () => {
    expect(() => parseAccessRule({ claims: ["a"], anyOf: [["b"]] })).toThrow(RuleShapeError);
    expect(() => parseAccessRule({})).toThrow("exactly one of claims");
    expect(() => parseAccessRule({ anyOf: [] })).toThrow("no alternative");
    expect(parseAccessRule({ anyOf: [["a", "b"], ["c"]] })).toMatchObject({ enforce: true, readsSource: false, form: "anyOf" });
    expect(parseAccessRule({ claims: ["sub={source.authorId}"], enforce: false })).toMatchObject({ enforce: false, readsSource: true });
  });
});

describe("matching: lists, paths and the object", () => {
  const holds = (source: string, claims: Record<string, unknown>, args: Record<string, unknown> = {}, object?: unknown) =>
    satisfiesRequirement(parseClaimRequirement(source), claims, args, object);

  it("a template over a list holds only when it holds for every element; an empty list holds", () => {
    expect(holds("teams={teamIds}", { teams: ["a", "b"] }, { teamIds: ["a", "b"] })).toBe(true);
    expect(holds("teams={teamIds}", { teams: ["a", "b"] }, { teamIds: ["a", "c"] })).toBe(false);
    expect(holds("teams={teamIds}", { teams: ["a"] }, { teamIds: [] })).toBe(true);
    expect(holds("teams={teamIds}|all", { teams: ["all"] }, { teamIds: ["x", "y"] })).toBe(true);
    expect(holds("teams={teamIds}", { teams: ["a"] }, { teamIds: ["a", null] })).toBe(false);
  });

  it("{arg.path} reads input objects, through lists", () => {
    expect(holds("teams={input.teamId}", { teams: ["t1"] }, { input: { teamId: "t1" } })).toBe(true);
    expect(holds("teams={input.teamId}", { teams: ["t1"] }, { input: { teamId: "t2" } })).toBe(false);
    expect(holds("teams={input.teamId}", { teams: ["t1"] }, { input: null })).toBe(false);
    expect(holds("teams={items.teamId}", { teams: ["t1", "t2"] }, { items: [{ teamId: "t1" }, { teamId: "t2" }] })).toBe(true);
    expect(holds("teams={items.teamId}", { teams: ["t1"] }, { items: [{ teamId: "t1" }, { teamId: "t2" }] })).toBe(false);
  });

  it("{source.field} reads the object", () => {
    expect(holds("sub={source.authorId}", { sub: "u1" }, {}, { authorId: "u1" })).toBe(true);
    expect(holds("sub={source.authorId}", { sub: "u1" }, {}, { authorId: "u2" })).toBe(false);
    expect(holds("sub={source.authorId}", {}, {}, { authorId: undefined })).toBe(false);
    expect(holds("{source.published}", {}, {}, { published: true })).toBe(true);
    expect(holds("{source.published}", {}, {}, { published: false })).toBe(false);
  });

  it("anyOf: one whole alternative must hold; the denial names the alternatives", () => {
    const set = compileRuleSet([parseAccessRule({ anyOf: [["permissions=posts:read", "{source.published}"], ["sub={source.authorId}"], ["role=admin"]] })]);
    expect(set.holds({ permissions: ["posts:read"] }, {}, { published: true, authorId: "x" })).toBe(true);
    expect(set.holds({ permissions: ["posts:read"] }, {}, { published: false, authorId: "x" })).toBe(false);
    expect(set.holds({ sub: "x" }, {}, { published: false, authorId: "x" })).toBe(true);
    expect(set.holds({ role: "admin" }, {}, { published: false, authorId: "y" })).toBe(true);
    expect(set.denial({ sub: "z" }, {}, { published: false, authorId: "x" })).toEqual({
      requiredClaims: ["sub={source.authorId}"],
      requiredAnyOf: [["permissions=posts:read", "{source.published}"], ["sub={source.authorId}"], ["role=admin"]],
    });
  });

  it("decides before execution what the claims alone decide", () => {
    const set = compileRuleSet([parseAccessRule({ anyOf: [["permissions=posts:read", "{source.published}"], ["sub={source.authorId}"], ["role=admin"]] })]);
    expect(set.decide({ role: "admin" }, {})).toBe("allowed");
    expect(set.decide({ sub: "u" }, {})).toBe("undecided");
    // No sub, no posts:read, no admin: no object could let this caller in.
    expect(set.decide({ email: "x" }, {})).toBe("denied");
  });
});

describe("startup refuses rules that cannot work, naming each coordinate, all at once", () => {
  it("lists every problem", () => {
    const problems = problemsOf(`
      type Query {
        a(input: In, source: String): Int @requiresClaims(claims: ["sub={source.owner}"])
        b(input: In): Int @requiresClaims(claims: ["t={input.nope}"])
        c(input: In): Int @requiresClaims(claims: ["t={input}"])
        d: Doc @public
        e(x: Int @requiresClaims(claims: ["sub={source.id}"])): Int @public
        f: Int @requiresClaims(claims: ["x"], anyOf: [["y"]])
        g(id: ID): Int @requiresClaims(claims: ["t={id.x}"])
      }
      type Doc @requiresClaims(claims: ["sub={source.missing}", "t={id}"]) { id: ID, owner: Owner, note: String @requiresClaims(claims: ["sub={source.owner}"]) }
      type Owner { id: ID }
      input In { teamId: ID, secret: String @requiresClaims(claims: ["team={teamId}"]), withDefault: Int = 1 @requiresClaims(claims: ["x"]) }
    `);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Query\.a: .*\{source\.owner\}.*argument named "source"/),
        expect.stringMatching(/^Query\.b: .*\{input\.nope\}: In has no field "nope"/),
        expect.stringMatching(/^Query\.c: .*\{input\} is the input object In; name one of its fields/),
        expect.stringMatching(/^Query\.e\(x:\): .*a rule on an argument is checked before execution/),
        expect.stringMatching(/^Query\.f: @requiresClaims takes exactly one of claims/),
        expect.stringMatching(/^Query\.g: .*\{id\.x\}: id is ID, not an input object/),
        expect.stringMatching(/^Doc: .*\{source\.missing\}.*Doc has no field "missing"/),
        expect.stringMatching(/^Doc: .*uses \{id\}, but a type-level rule that reads \{source/),
        expect.stringMatching(/^Doc\.note: .*\{source\.owner\}.*Doc\.owner is not a scalar or enum/),
        expect.stringMatching(/^In\.secret: .*uses \{teamId\}, but a rule on an input field/),
        expect.stringMatching(/^In\.withDefault: a guarded input field cannot have a default value/),
      ]),
    );
    expect(problems.length).toBe(11);
  });
});

describe("anyOf and repeated uses on one field", () => {
  const schema = build(
    `type Query {
      either: String @requiresClaims(anyOf: [["role=admin"], ["role=editor", "mfa"]])
      both: String @requiresClaims(claims: ["role=admin"]) @requiresClaims(anyOf: [["mfa"], ["hardware_key"]])
    }`,
    { Query: { either: () => "e", both: () => "b" } },
  );

  it("anyOf: one whole alternative; the error keeps requiredClaims and adds requiredAnyOf", async () => {
    expect((await run(schema, "{ either }", { role: "editor", mfa: true })).data).toEqual({ either: "e" });
    const refused = await run(schema, "{ either }", { role: "editor" });
    expect(refused.errors).toEqual([
      expect.objectContaining({ code: "FORBIDDEN", reason: "MISSING_CLAIMS", requiredClaims: ["role=admin"], requiredAnyOf: [["role=admin"], ["role=editor", "mfa"]] }),
    ]);
    expect(refused.errors[0]!["message"]).toBe("Your access token meets none of the alternatives this field accepts: (role=admin) or (role=editor and mfa).");
  });

  it("every use must hold", async () => {
    expect((await run(schema, "{ both }", { role: "admin", hardware_key: "yes" })).data).toEqual({ both: "b" });
    const refused = await run(schema, "{ both }", { role: "admin" });
    expect(refused.errors).toEqual([expect.objectContaining({ requiredClaims: ["mfa"], requiredAnyOf: [["mfa"], ["hardware_key"]] })]);
  });

  it("a malformed requirement inside anyOf stops startup naming the field", () => {
    expect(problemsOf(`type Query { a: Int @requiresClaims(anyOf: [["role=admin"], ["role="]]), b: Int @requiresClaims(anyOf: []) }`)).toEqual([
      'Query.a: invalid claim requirement "role=": a value is empty (write name for \'any truthy value\', or name=a|b for alternatives)',
      "Query.b: anyOf: [] has no alternative, so nobody could ever pass; list at least one",
    ]);
  });
});

describe("object-level rules: checked on each object as the producing field returns it", () => {
  const docs = [
    { id: "1", owner: "u1", published: true, title: "one" },
    { id: "2", owner: "u2", published: false, title: "two" },
    { id: "3", owner: "u1", published: false, title: "three" },
  ];
  const schema = build(
    `
    interface Node { id: ID! }
    type Doc implements Node @requiresClaims(anyOf: [["{source.published}"], ["sub={source.owner}"]]) { id: ID!, owner: ID!, published: Boolean!, title: String }
    type Tag implements Node { id: ID! }
    union Item = Doc | Tag
    type Query {
      doc(id: ID!): Doc @requiresClaims(claims: [])
      mustDoc(id: ID!): Doc! @requiresClaims(claims: [])
      docs: [Doc!]! @requiresClaims(claims: [])
      nested: [[Doc]] @requiresClaims(claims: [])
      node(id: ID!): Node @requiresClaims(claims: [])
      items: [Item!]! @requiresClaims(claims: [])
      asyncDocs: [Doc!]! @requiresClaims(claims: [])
    }`,
    {
      Query: {
        doc: (_: unknown, { id }: { id: string }) => docs.find((doc) => doc.id === id),
        mustDoc: (_: unknown, { id }: { id: string }) => docs.find((doc) => doc.id === id),
        docs: () => docs,
        nested: () => [docs, [docs[1]]],
        node: (_: unknown, { id }: { id: string }) => docs.find((doc) => doc.id === id),
        items: () => [...docs, { id: "t" }],
        asyncDocs: async () => docs.map(async (doc) => doc),
      },
      Node: { __resolveType: (value: { owner?: string }) => (value.owner ? "Doc" : "Tag") },
      Item: { __resolveType: (value: { owner?: string }) => (value.owner ? "Doc" : "Tag") },
    },
  );

  it("a denied object in a single position becomes null with FORBIDDEN; __typename included", async () => {
    const denied = await run(schema, `{ doc(id: "2") { __typename title } }`, { sub: "u1" });
    expect(denied.data).toEqual({ doc: null });
    expect(denied.errors).toEqual([expect.objectContaining({ path: "doc", code: "FORBIDDEN", type: "Doc", requiredAnyOf: [["{source.published}"], ["sub={source.owner}"]] })]);
    expect((await run(schema, `{ doc(id: "3") { title } }`, { sub: "u1" })).data).toEqual({ doc: { title: "three" } });
    expect((await run(schema, `{ doc(id: "1") { title } }`, { sub: "u9" })).data).toEqual({ doc: { title: "one" } });
  });

  it("null propagation applies to a non-null position", async () => {
    const result = await run(schema, `{ mustDoc(id: "2") { title } }`, { sub: "u1" });
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ path: "mustDoc", code: "FORBIDDEN" })]);
  });

  it("denied items of a list are dropped, without an error that would count them", async () => {
    const result = await run(schema, `{ docs { id } nested { id } asyncDocs { id } }`, { sub: "u1" });
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ docs: [{ id: "1" }, { id: "3" }], nested: [[{ id: "1" }, { id: "3" }], []], asyncDocs: [{ id: "1" }, { id: "3" }] });
  });

  it("applies through interfaces and unions", async () => {
    expect((await run(schema, `{ node(id: "2") { id } }`, { sub: "u1" })).data).toEqual({ node: null });
    const items = await run(schema, `{ items { __typename ... on Doc { id } ... on Tag { id } } }`, { sub: "u2" });
    expect(items.data).toEqual({ items: [{ __typename: "Doc", id: "1" }, { __typename: "Doc", id: "2" }, { __typename: "Tag", id: "t" }] });
  });

  it("anonymous callers get UNAUTHENTICATED for an object rule", async () => {
    const schemaWithOpenRoot = build(
      `type Doc @requiresClaims(claims: ["sub={source.owner}"]) { owner: ID } type Query { doc: Doc @public }`,
      { Query: { doc: () => ({ owner: "u1" }) } },
    );
    const result = await run(schemaWithOpenRoot, `{ doc { owner } }`, null);
    expect(result.data).toEqual({ doc: null });
    expect(result.errors).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED" })]);
  });
});

describe("a mutation whose result is withheld after it ran", () => {
  it("says the effect stands (withheld, mutationCompleted) so clients do not retry", async () => {
    let runs = 0;
    const schema = build(
      `type Doc @requiresClaims(claims: ["sub={source.owner}"]) { owner: ID }
       type Query { ok: Int @public }
       type Mutation { make(owner: ID!): Doc @requiresClaims(claims: []) }`,
      { Mutation: { make: (_: unknown, { owner }: { owner: string }) => (runs++, { owner }) } },
    );
    const result = await run(schema, `mutation { make(owner: "u2") { owner } }`, { sub: "u1" });
    expect(runs).toBe(1);
    expect(result.data).toEqual({ make: null });
    expect(result.errors).toEqual([expect.objectContaining({ path: "make", code: "FORBIDDEN", withheld: true, mutationCompleted: true })]);
    expect(result.errors[0]!["message"]).toMatch(/^make completed and its effect stands, but its result is withheld/);
  });
});

describe("field-level {source.…}: the parent object", () => {
  const schema = build(
    `type Account { id: ID!, owner: ID!, balance: Int @requiresClaims(anyOf: [["sub={source.owner}"], ["role=auditor"]]) }
     type Query { accounts: [Account!]! @requiresClaims(claims: []) }`,
    { Query: { accounts: () => [{ id: "a", owner: "u1", balance: 10 }, { id: "b", owner: "u2", balance: 20 }] } },
  );

  it("checks the rule against each parent", async () => {
    const result = await run(schema, `{ accounts { id balance } }`, { sub: "u1" });
    expect(result.data).toEqual({ accounts: [{ id: "a", balance: 10 }, { id: "b", balance: null }] });
    expect(result.errors).toEqual([expect.objectContaining({ path: "accounts.1.balance", code: "FORBIDDEN", requiredAnyOf: [["sub={source.owner}"], ["role=auditor"]] })]);
    expect((await run(schema, `{ accounts { balance } }`, { role: "auditor" })).errors).toEqual([]);
  });
});

describe("claims-only type rules and __typename", () => {
  const schema = build(
    `type Secret @requiresClaims(claims: ["role=admin"]) { name: String }
     type Query { secrets: [Secret!]! @requiresClaims(claims: []) secret: Secret @requiresClaims(claims: []) }`,
    { Query: { secrets: () => [{ name: "a" }, { name: "b" }], secret: () => ({ name: "a" }) } },
  );

  it("withholds objects when the selection asks for __typename, so nothing reveals how many exist", async () => {
    expect((await run(schema, `{ secrets { __typename } }`, { role: "user" })).data).toEqual({ secrets: [] });
    const single = await run(schema, `{ secret { ... on Secret { __typename } } }`, { role: "user" });
    expect(single.data).toEqual({ secret: null });
    expect(single.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN", requiredClaims: ["role=admin"] })]);
    expect((await run(schema, `{ secrets { __typename name } }`, { role: "admin" })).data).toEqual({ secrets: [{ __typename: "Secret", name: "a" }, { __typename: "Secret", name: "b" }] });
  });

  it("without __typename, each field is refused as before", async () => {
    const result = await run(schema, `{ secret { name } }`, { role: "user" });
    expect(result.data).toEqual({ secret: { name: null } });
  });
});

describe("guarded arguments and input fields, at execution too (servers without the pre-execution check)", () => {
  let created = 0;
  const schema = build(
    `input NewTask { title: String!, priority: Int @requiresClaims(claims: ["role=lead"]), teamId: ID }
     type Query { tasks(includeArchived: Boolean @requiresClaims(claims: ["role=admin"])): [String!]! @requiresClaims(claims: []) }
     type Mutation {
       addTask(input: NewTask!): Int @requiresClaims(claims: ["teams={input.teamId}"])
       addTasks(inputs: [NewTask!]!): Int @requiresClaims(claims: ["teams={inputs.teamId}"])
     }`,
    {
      Query: { tasks: () => ["t"] },
      Mutation: { addTask: () => ++created, addTasks: (_: unknown, { inputs }: { inputs: unknown[] }) => (created += inputs.length) },
    },
  );

  it("supplying a guarded argument needs its claims; omitting it or passing null does not", async () => {
    expect((await run(schema, `{ tasks }`, { role: "user" })).data).toEqual({ tasks: ["t"] });
    expect((await run(schema, `{ tasks(includeArchived: null) }`, { role: "user" })).data).toEqual({ tasks: ["t"] });
    const refused = await run(schema, `{ tasks(includeArchived: false) }`, { role: "user" });
    expect(refused.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN", argument: "includeArchived", requiredClaims: ["role=admin"] })]);
    const viaVariable = await run(schema, `query ($a: Boolean) { tasks(includeArchived: $a) }`, { role: "user" }, { a: true });
    expect(viaVariable.errors).toEqual([expect.objectContaining({ argument: "includeArchived" })]);
  });

  it("an input field, inline or in a variable, and inside lists; the resolver never runs", async () => {
    const before = created;
    const inline = await run(schema, `mutation { addTask(input: { title: "x", priority: 1, teamId: "t1" }) }`, { teams: ["t1"] });
    expect(inline.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN", argument: "input.priority" })]);
    const list = await run(schema, `mutation ($i: [NewTask!]!) { addTasks(inputs: $i) }`, { teams: ["t1"] }, { i: [{ title: "a", teamId: "t1" }, { title: "b", priority: 2, teamId: "t1" }] });
    expect(list.errors).toEqual([expect.objectContaining({ argument: "inputs.1.priority" })]);
    expect(created).toBe(before);
  });

  it("{input.teamId} and {inputs.teamId} (every element) decide the field", async () => {
    expect((await run(schema, `mutation { addTask(input: { title: "x", teamId: "t1" }) }`, { teams: ["t1"] })).errors).toEqual([]);
    const other = await run(schema, `mutation { addTask(input: { title: "x", teamId: "t2" }) }`, { teams: ["t1"] });
    expect(other.errors).toEqual([expect.objectContaining({ requiredClaims: ["teams=t2"] })]);
    const mixed = await run(schema, `mutation { addTasks(inputs: [{ title: "a", teamId: "t1" }, { title: "b", teamId: "t2" }]) }`, { teams: ["t1"] });
    expect(mixed.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN" })]);
    expect((await run(schema, `mutation { addTasks(inputs: []) }`, { teams: [] })).errors).toEqual([]);
  });
});

describe("enforce: false", () => {
  it("reports the would-be denial and never denies, on fields, objects and inputs", async () => {
    const events: WouldDenyEvent[] = [];
    const schema = build(
      `type Doc @requiresClaims(claims: ["sub={source.owner}"], enforce: false) { owner: ID, note: String @requiresClaims(claims: ["role=admin"], enforce: false) }
       input In { x: Int @requiresClaims(claims: ["role=admin"], enforce: false) }
       type Query { doc(in: In): Doc @requiresClaims(claims: []) }`,
      { Query: { doc: () => ({ owner: "u1", note: "n" }) } },
      (event) => events.push(event),
    );
    const result = await run(schema, `{ doc(in: { x: 1 }) { owner note } }`, { sub: "u2", role: "user" });
    expect(result).toEqual({ data: { doc: { owner: "u1", note: "n" } }, errors: [] });
    expect(events.map((event) => [event.kind, event.coordinate, event.subject, event.requiredClaims])).toEqual([
      ["input-field", "In.x", "u2", ["role=admin"]],
      ["object", "Doc", "u2", ["sub={source.owner}"]],
      ["field", "Doc.note", "u2", ["role=admin"]],
    ]);
    expect(schema.getType("Doc")!.description).toContain("Not yet enforced (enforce: false, reported only)");
  });

  it("a field with only enforce: false rules stays open to anonymous callers, with or without a listener", async () => {
    const typeDefs = `type Query { soon: String @requiresClaims(claims: ["role=admin"], enforce: false) }`;
    const resolvers = { Query: { soon: () => "s" } };
    const events: WouldDenyEvent[] = [];
    expect(await run(build(typeDefs, resolvers), "{ soon }", null)).toEqual({ data: { soon: "s" }, errors: [] });
    expect(await run(build(typeDefs, resolvers, (event) => events.push(event)), "{ soon }", null)).toEqual({ data: { soon: "s" }, errors: [] });
    expect(events).toEqual([expect.objectContaining({ coordinate: "Query.soon", subject: undefined, requiredClaims: ["role=admin"] })]);
  });
});

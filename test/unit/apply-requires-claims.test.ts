import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, parse, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { applyRequiresClaims } from "../../src/authz/apply-requires-claims.js";
import { SchemaAuthorizationError } from "../../src/authz/schema-authorization-error.js";

const DIRECTIVES = /* GraphQL */ `
  directive @requiresClaims(claims: [String!]!) on OBJECT | INTERFACE | FIELD_DEFINITION
  directive @public on FIELD_DEFINITION
`;

function build(typeDefs: string, resolvers: Record<string, any> = {}): GraphQLSchema {
  return applyRequiresClaims(makeExecutableSchema({ typeDefs: DIRECTIVES + typeDefs, resolvers }));
}

async function run(schema: GraphQLSchema, query: string, claims: Record<string, unknown> | null, error: unknown = null) {
  const result = await execute({ schema, document: parse(query), contextValue: { auth: { claims, error } } });
  return {
    data: result.data,
    errors: (result.errors ?? []).map((e): Record<string, unknown> => ({ path: e.path?.join("."), ...e.extensions })),
  };
}

describe("applyRequiresClaims: secure by default", () => {
  it("refuses a schema whose root fields lack @requiresClaims or @public, listing every one", () => {
    const attempt = () =>
      build(`
        type Query { a: Int @public, b: Int, c: Int @deprecated }
        type Mutation { d: Int, e: Int @requiresClaims(claims: []) }
      `);
    expect(attempt).toThrow(SchemaAuthorizationError);
    expect(attempt).toThrow("missing on: Query.b, Query.c, Mutation.d");
  });

  it("checks Subscription fields too, and guards their subscribe function", async () => {
    expect(() => build(`type Query { a: Int @public } type Subscription { ticks: Int }`)).toThrow("missing on: Subscription.ticks");
    const schema = build(`type Query { a: Int @public } type Subscription { ticks: Int @requiresClaims(claims: ["role=admin"]) }`, {
      Subscription: { ticks: { subscribe: async function* () { yield { ticks: 1 }; } } },
    });
    const field = schema.getSubscriptionType()!.getFields()["ticks"]!;
    expect(() => field.subscribe!({}, {}, { auth: { claims: { role: "user" } } }, {} as never)).toThrow(/role=admin/);
    expect(() => field.subscribe!({}, {}, { auth: { claims: null } }, {} as never)).toThrow(/access token/);
  });

  it("refuses @public together with @requiresClaims", () => {
    expect(() => build(`type Query { a: Int @public @requiresClaims(claims: ["x"]) }`)).toThrow(
      "Query.a has both @public and @requiresClaims",
    );
  });

  it("stops at a malformed requirement and names the field", () => {
    expect(() => build(`type Query { a: Int @requiresClaims(claims: ["role="]) }`)).toThrow(/Query\.a: invalid claim requirement "role="/);
  });

  it("stops at a placeholder that names no argument, and names the field", () => {
    expect(() => build(`type Query { team(id: ID!): Int @requiresClaims(claims: ["team={teamId}"]) }`)).toThrow(
      /Query\.team: .*no argument "teamId"/,
    );
  });

  it("reports every problem at once", () => {
    try {
      build(`type Query { a: Int, b: Int @requiresClaims(claims: ["="]), c(x: Int): Int @requiresClaims(claims: ["t={y}"]) }`);
      expect.unreachable();
    } catch (error) {
      expect((error as SchemaAuthorizationError).problems).toHaveLength(3);
    }
  });
});

describe("applyRequiresClaims: enforcement", () => {
  const schema = build(
    `
    type Query {
      open: String @public
      anyToken: String @requiresClaims(claims: [])
      admin: String @requiresClaims(claims: ["role=admin"])
      team(teamId: ID!): String @requiresClaims(claims: ["teams={teamId}"])
      doc: Doc @public
    }
    type Doc @requiresClaims(claims: ["docs:read"]) {
      title: String
      secret: String @requiresClaims(claims: ["role=admin"])
    }
    `,
    {
      Query: {
        open: () => "open",
        anyToken: () => "any",
        admin: () => "admin",
        team: (_: unknown, args: { teamId: string }) => `team ${args.teamId}`,
        // Doc fields use graphql's default resolver: they must be guarded all the same.
        doc: () => ({ title: "t", secret: "s" }),
      },
    },
  );

  it("lets anyone call a @public field", async () => {
    expect((await run(schema, "{ open }", null)).data).toEqual({ open: "open" });
  });

  it("claims: [] accepts any valid token and refuses anonymous callers", async () => {
    expect((await run(schema, "{ anyToken }", {})).data).toEqual({ anyToken: "any" });
    expect((await run(schema, "{ anyToken }", null)).errors).toEqual([
      expect.objectContaining({ path: "anyToken", code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" }),
    ]);
  });

  it("passes on why the token was rejected", async () => {
    const result = await run(schema, "{ anyToken }", null, { reason: "TOKEN_EXPIRED", message: "expired" });
    expect(result.errors).toEqual([expect.objectContaining({ code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" })]);
  });

  it("answers FORBIDDEN with the unmet requirements", async () => {
    const result = await run(schema, "{ admin }", { role: "user" });
    expect(result.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN", requiredClaims: ["role=admin"] })]);
  });

  it("fills placeholders from arguments, in the check and in the error", async () => {
    expect((await run(schema, `{ team(teamId: "red") }`, { teams: ["red"] })).data).toEqual({ team: "team red" });
    const result = await run(schema, `{ team(teamId: "blue") }`, { teams: ["red"] });
    expect(result.errors).toEqual([expect.objectContaining({ code: "FORBIDDEN", requiredClaims: ["teams=blue"] })]);
  });

  it("guards every field of a type-level directive, default resolvers included", async () => {
    const anonymous = await run(schema, "{ doc { title } }", null);
    expect(anonymous.data).toEqual({ doc: { title: null } });
    expect(anonymous.errors).toEqual([expect.objectContaining({ path: "doc.title", code: "UNAUTHENTICATED" })]);

    const reader = await run(schema, "{ doc { title secret } }", { "docs:read": true });
    expect(reader.data).toEqual({ doc: { title: "t", secret: null } });
    expect(reader.errors).toEqual([expect.objectContaining({ path: "doc.secret", code: "FORBIDDEN", requiredClaims: ["role=admin"] })]);
  });

  it("adds the type's requirement to a field's own (AND)", async () => {
    const adminWithoutRead = await run(schema, "{ doc { secret } }", { role: "admin" });
    expect(adminWithoutRead.errors).toEqual([expect.objectContaining({ requiredClaims: ["docs:read"] })]);
    const both = await run(schema, "{ doc { secret } }", { role: "admin", "docs:read": 1 });
    expect(both.data).toEqual({ doc: { secret: "s" } });
  });

  it("appends the requirements to descriptions", () => {
    expect(schema.getQueryType()!.getFields()["admin"]!.description).toBe("Requires claims: role=admin.");
    expect(schema.getQueryType()!.getFields()["anyToken"]!.description).toBe("Requires a valid access token.");
  });

  it("is idempotent: applying it twice does not wrap twice", async () => {
    expect(applyRequiresClaims(schema)).toBe(schema);
  });
});

describe("applyRequiresClaims: interfaces", () => {
  const schema = build(
    `
    interface Node @requiresClaims(claims: ["nodes:read"]) { id: ID! }
    interface Owned { owner: String @requiresClaims(claims: ["role=admin"]) }
    type Item implements Node & Owned { id: ID!, owner: String, name: String }
    type Query { node: Node @public, item: Item @public }
    `,
    {
      Query: { node: () => ({ id: "1", owner: "o", name: "n" }), item: () => ({ id: "1", owner: "o", name: "n" }) },
      Node: { __resolveType: () => "Item" },
    },
  );

  it("applies an interface's type-level requirement to every implementing type's fields", async () => {
    for (const query of ["{ node { id } }", "{ node { ... on Item { id name } } }", "{ item { id name } }"]) {
      const result = await run(schema, query, {});
      expect(result.errors.length, query).toBeGreaterThan(0);
      expect(result.errors.every((e) => e.code === "FORBIDDEN" && (e.requiredClaims as string[]).includes("nodes:read"))).toBe(true);
    }
  });

  it("applies an interface field's requirement through a concrete type's fragment", async () => {
    const result = await run(schema, "{ node { ... on Item { owner } } }", { "nodes:read": true });
    expect(result.errors).toEqual([expect.objectContaining({ path: "node.owner", code: "FORBIDDEN", requiredClaims: ["role=admin"] })]);
    const admin = await run(schema, "{ item { owner } }", { "nodes:read": true, role: "admin" });
    expect(admin.data).toEqual({ item: { owner: "o" } });
  });
});

describe("applyRequiresClaims: mutations", () => {
  it("does not run a guarded mutation's resolver for a caller who fails the check", async () => {
    let sideEffects = 0;
    const schema = build(
      `type Query { ok: Int @public } type Mutation { launch: Int @requiresClaims(claims: ["role=admin"]) }`,
      { Mutation: { launch: () => ++sideEffects } },
    );
    await run(schema, "mutation { launch }", { role: "user" });
    await run(schema, "mutation { launch }", null);
    expect(sideEffects).toBe(0);
    expect((await run(schema, "mutation { launch }", { role: "admin" })).data).toEqual({ launch: 1 });
  });
});

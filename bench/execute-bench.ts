// 1. In-process `execute` of the 101-check workload: no authorization, this project's directive,
//    graphql-shield and @envelop/generic-auth, interleaved in rounds, each checked for correctness first.
import { envelop, useEngine, useSchema } from "@envelop/core";
import { useGenericAuth } from "@envelop/generic-auth";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, type ExecutionResult, GraphQLError, parse, specifiedRules, subscribe, validate } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { rule, shield } from "graphql-shield";
import { applyRequiresClaims } from "../src/authz/apply-requires-claims.js";
import { median, shuffle, table, timeAsync } from "./stats.js";

const POSTS = Array.from({ length: 100 }, (_, i) => ({ id: String(i), title: `Post ${i}`, body: "…", secretNote: `note ${i}` }));
const resolvers = { Query: { posts: () => POSTS } };
const DOCUMENT = parse("{ posts { id title body secretNote } }");

const ADMIN = { sub: "a", role: "admin", permissions: ["posts:read"] };
const READER = { sub: "r", role: "user", permissions: ["posts:read"] };
type Claims = typeof ADMIN | null;

interface Variant {
  name: string;
  run(claims: Claims): Promise<ExecutionResult>;
}

function baseline(): Variant {
  const schema = makeExecutableSchema({
    typeDefs: `type Query { posts: [Post!]! } type Post { id: ID! title: String! body: String! secretNote: String }`,
    resolvers,
  });
  return { name: "no authorization (baseline)", run: async () => execute({ schema, document: DOCUMENT }) as ExecutionResult };
}

function claimgate(): Variant {
  const schema = applyRequiresClaims(
    makeExecutableSchema({
      typeDefs: `
        directive @requiresClaims(claims: [String!]!) on OBJECT | INTERFACE | FIELD_DEFINITION
        directive @public on FIELD_DEFINITION
        type Query { posts: [Post!]! @requiresClaims(claims: ["permissions=posts:read"]) }
        type Post { id: ID! title: String! body: String! secretNote: String @requiresClaims(claims: ["role=admin"]) }`,
      resolvers,
    }),
  );
  return {
    name: "claimgate @requiresClaims",
    run: async (claims) => execute({ schema, document: DOCUMENT, contextValue: { auth: { claims } } }) as ExecutionResult,
  };
}

function graphqlShield(): Variant {
  const unauthenticated = () => new GraphQLError("no token", { extensions: { code: "UNAUTHENTICATED" } });
  const forbidden = () => new GraphQLError("forbidden", { extensions: { code: "FORBIDDEN" } });
  const canRead = rule({ cache: "contextual" })((_parent, _args, ctx: { claims: Claims }) =>
    ctx.claims ? ctx.claims.permissions.includes("posts:read") || forbidden() : unauthenticated(),
  );
  const isAdmin = rule({ cache: "contextual" })((_parent, _args, ctx: { claims: Claims }) =>
    ctx.claims ? ctx.claims.role === "admin" || forbidden() : unauthenticated(),
  );
  const schema = applyMiddleware(
    makeExecutableSchema({
      typeDefs: `type Query { posts: [Post!]! } type Post { id: ID! title: String! body: String! secretNote: String }`,
      resolvers,
    }),
    shield({ Query: { posts: canRead }, Post: { secretNote: isAdmin } }, { allowExternalErrors: true }),
  );
  return { name: "graphql-shield (contextual cache)", run: async (claims) => (await execute({ schema, document: DOCUMENT, contextValue: { claims } })) as ExecutionResult };
}

function genericAuth(): Variant {
  const schema = makeExecutableSchema({
    typeDefs: `
      directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE
      directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE
      type Query { posts: [Post!]! @requiresScopes(scopes: [["posts:read"]]) }
      type Post { id: ID! title: String! body: String! secretNote: String @requiresScopes(scopes: [["role:admin"]]) }`,
    resolvers,
  });
  const getEnveloped = envelop({
    plugins: [
      useEngine({ parse, validate, execute, subscribe, specifiedRules }),
      useSchema(schema),
      useGenericAuth({
        mode: "protect-granular",
        resolveUserFn: (context: { claims: Claims }) => context.claims,
        extractScopes: (user: object) => (user as Claims) ? [...(user as NonNullable<Claims>).permissions, `role:${(user as NonNullable<Claims>).role}`] : [],
      }),
    ],
  });
  return {
    name: "@envelop/generic-auth (protect-granular)",
    async run(claims) {
      const { execute: run, contextFactory, schema: envelopedSchema } = getEnveloped({ claims });
      return (await run({ schema: envelopedSchema, document: DOCUMENT, contextValue: await contextFactory() })) as ExecutionResult;
    },
  };
}

/** Admin sees every note; a reader is refused secretNote; anonymous is refused. */
async function assertCorrect(variant: Variant): Promise<void> {
  const admin = await variant.run(ADMIN);
  const notes = (admin.data?.["posts"] as { secretNote: string }[] | undefined)?.map((post) => post.secretNote);
  if (admin.errors || notes?.length !== 100 || notes.some((note) => !note)) throw new Error(`${variant.name}: admin must see every secretNote`);
  const reader = await variant.run(READER);
  if (!reader.errors?.length || !reader.errors.every((error) => error.path?.includes("secretNote") || /secretNote/.test(error.message) || error.extensions?.["code"])) {
    throw new Error(`${variant.name}: a reader must be refused secretNote`);
  }
  const anonymous = await variant.run(null);
  if (!anonymous.errors?.length || (anonymous.data?.["posts"] as unknown[] | undefined)?.length) throw new Error(`${variant.name}: anonymous must be refused`);
}

export interface ExecuteResults {
  table: string;
  /** Throughput relative to the no-authorization baseline, by variant. */
  ratio: { claimgate: number; shield: number; genericAuth: number };
}

export async function benchExecute(options: { rounds: number; opsPerRound: number }): Promise<ExecuteResults> {
  const variants = [baseline(), claimgate(), graphqlShield(), genericAuth()];
  for (const variant of variants.slice(1)) await assertCorrect(variant);
  for (const variant of variants) await timeAsync(200, () => variant.run(ADMIN)); // warm-up
  const samples = new Map(variants.map((variant) => [variant.name, [] as number[]]));
  for (let round = 0; round < options.rounds; round++) {
    for (const variant of shuffle(variants)) samples.get(variant.name)!.push(await timeAsync(options.opsPerRound, () => variant.run(ADMIN)));
  }
  // Ratios are taken within each round, then their median: drift between rounds cancels out.
  const baseSamples = samples.get(variants[0]!.name)!;
  const ratioOf = (variant: Variant) => median(samples.get(variant.name)!.map((us, round) => baseSamples[round]! / us));
  const rows = variants.map((variant) => [variant.name, median(samples.get(variant.name)!), `${ratioOf(variant).toFixed(2)}x`]);
  return {
    table: table(["variant (admin, 100 posts, 101 checks)", "µs / operation (median of rounds)", "throughput vs baseline (median of per-round ratios)"], rows),
    ratio: { claimgate: ratioOf(variants[1]!), shield: ratioOf(variants[2]!), genericAuth: ratioOf(variants[3]!) },
  };
}

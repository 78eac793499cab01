// 4. An object-level "author or admin" rule over 100 posts: claimgate's type-level
//    @requiresClaims(anyOf: [["sub={source.authorId}"], ["role=admin"]]) against graphql-shield's
//    rule on the parent object and @envelop/generic-auth, which cannot see objects, so its
//    equivalent is the hand-written filter in the resolver that teams write with it.
// 5. The pre-execution analysis (what refuses a mutation before any resolver runs), per operation.
import { envelop, useEngine, useSchema } from "@envelop/core";
import { useGenericAuth } from "@envelop/generic-auth";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, type ExecutionResult, GraphQLError, parse, specifiedRules, subscribe, validate } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { rule, shield } from "graphql-shield";
import { analyzeOperation } from "../src/authz/analyze-operation.js";
import { applyRequiresClaims } from "../src/authz/apply-requires-claims.js";
import { createOperationAnalyzer } from "../src/authz/operation-analyzer.js";
import { readTypeDefs } from "../src/graphql/build-schema.js";
import { resolvers as demoResolvers } from "../src/graphql/resolvers/index.js";
import { median, shuffle, table, timeAsync } from "./stats.js";

const POSTS = Array.from({ length: 100 }, (_, i) => ({ id: String(i), title: `Post ${i}`, authorId: i % 2 === 0 ? "author" : `other${i}` }));
const DOCUMENT = parse("{ posts { id title authorId } }");
const ADMIN = { sub: "admin", role: "admin" };
const AUTHOR = { sub: "author", role: "user" };
type Claims = typeof ADMIN | null;
const TYPES = `type Query { posts: [Post!]! } type Post { id: ID! title: String! authorId: ID! }`;

interface Variant {
  name: string;
  run(claims: Claims): Promise<ExecutionResult>;
}

function baseline(): Variant {
  const schema = makeExecutableSchema({ typeDefs: TYPES, resolvers: { Query: { posts: () => POSTS } } });
  return { name: "no authorization (baseline)", run: async () => execute({ schema, document: DOCUMENT }) as ExecutionResult };
}

function claimgate(): Variant {
  const schema = applyRequiresClaims(
    makeExecutableSchema({
      typeDefs: `
        directive @requiresClaims(claims: [String!], anyOf: [[String!]!], enforce: Boolean = true) on OBJECT | INTERFACE | FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
        directive @public on FIELD_DEFINITION
        type Query { posts: [Post!]! @requiresClaims(claims: []) }
        type Post @requiresClaims(anyOf: [["sub={source.authorId}"], ["role=admin"]]) { id: ID! title: String! authorId: ID! }`,
      resolvers: { Query: { posts: () => POSTS } },
    }),
  );
  return { name: "claimgate object-level @requiresClaims", run: async (claims) => execute({ schema, document: DOCUMENT, contextValue: { auth: { claims } } }) as ExecutionResult };
}

function graphqlShield(): Variant {
  const authorOrAdmin = rule({ cache: "strict" })((parent: { authorId: string }, _args, ctx: { claims: Claims }) =>
    ctx.claims ? parent.authorId === ctx.claims.sub || ctx.claims.role === "admin" || new GraphQLError("forbidden", { extensions: { code: "FORBIDDEN" } }) : false,
  );
  const schema = applyMiddleware(
    makeExecutableSchema({ typeDefs: TYPES, resolvers: { Query: { posts: () => POSTS } } }),
    shield({ Post: authorOrAdmin }, { allowExternalErrors: true }),
  );
  return { name: "graphql-shield rule on the parent (strict cache)", run: async (claims) => (await execute({ schema, document: DOCUMENT, contextValue: { claims } })) as ExecutionResult };
}

function genericAuth(): Variant {
  const schema = makeExecutableSchema({
    typeDefs: TYPES,
    resolvers: {
      Query: {
        // generic-auth validates before execution, without objects: the row rule lives in the resolver.
        posts: (_root: unknown, _args: unknown, context: { currentUser: NonNullable<Claims> }) =>
          POSTS.filter((post) => post.authorId === context.currentUser.sub || context.currentUser.role === "admin"),
      },
    },
  });
  const getEnveloped = envelop({
    plugins: [
      useEngine({ parse, validate, execute, subscribe, specifiedRules }),
      useSchema(schema),
      useGenericAuth({ mode: "protect-all", resolveUserFn: (context: { claims: Claims }) => context.claims }),
    ],
  });
  return {
    name: "@envelop/generic-auth + filter in the resolver",
    async run(claims) {
      const { execute: run, contextFactory, schema: envelopedSchema } = getEnveloped({ claims });
      return (await run({ schema: envelopedSchema, document: DOCUMENT, contextValue: await contextFactory() })) as ExecutionResult;
    },
  };
}

/** The admin sees 100 posts; the author sees their 50 (claimgate and the filter drop the rest; shield refuses their fields). */
async function assertCorrect(variant: Variant): Promise<void> {
  const admin = await variant.run(ADMIN);
  if (admin.errors || (admin.data?.["posts"] as unknown[]).length !== 100) throw new Error(`${variant.name}: the admin must see every post`);
  const author = await variant.run(AUTHOR);
  const visible = (author.data?.["posts"] as ({ authorId: string } | null)[] | undefined) ?? [];
  const leaked = visible.filter((post) => post && post.authorId !== "author" && post.authorId !== null);
  if (leaked.length > 0) throw new Error(`${variant.name}: the author must not see others' posts`);
}

export interface ObjectRuleResults {
  table: string;
  ratio: { claimgate: number; shield: number; genericAuth: number };
}

export async function benchObjectRule(options: { rounds: number; opsPerRound: number }): Promise<ObjectRuleResults> {
  const variants = [baseline(), claimgate(), graphqlShield(), genericAuth()];
  for (const variant of variants.slice(1)) await assertCorrect(variant);
  for (const variant of variants) await timeAsync(200, () => variant.run(ADMIN));
  const samples = new Map(variants.map((variant) => [variant.name, [] as number[]]));
  for (let round = 0; round < options.rounds; round++) {
    for (const variant of shuffle(variants)) samples.get(variant.name)!.push(await timeAsync(options.opsPerRound, () => variant.run(ADMIN)));
  }
  const baseSamples = samples.get(variants[0]!.name)!;
  const ratioOf = (variant: Variant) => median(samples.get(variant.name)!.map((us, round) => baseSamples[round]! / us));
  const rows = variants.map((variant) => [variant.name, median(samples.get(variant.name)!), `${ratioOf(variant).toFixed(2)}x`]);
  return {
    table: table(["variant (admin, 100 posts, \"author or admin\" on each)", "µs / operation (median of rounds)", "throughput vs baseline (median of per-round ratios)"], rows),
    ratio: { claimgate: ratioOf(variants[1]!), shield: ratioOf(variants[2]!), genericAuth: ratioOf(variants[3]!) },
  };
}

export interface PreExecutionResults {
  table: string;
  /** µs per analysis of the demo's createPost mutation. */
  mutationMicros: number;
}

/** The analysis on the demo schema, as the server runs it before every mutation. */
export async function benchPreExecution(options: { iterations: number; rounds: number }): Promise<PreExecutionResults> {
  const schema = applyRequiresClaims(makeExecutableSchema({ typeDefs: readTypeDefs(), resolvers: demoResolvers }));
  const claims = { sub: "carol", permissions: ["posts:write"] };
  const cases = [
    ["createPost with an input object (allowed)", `mutation { createPost(input: { title: "t", body: "b" }) { id title body published createdAt authorId } }`, {}],
    ["createPost through a variable, secretNote (denied)", `mutation ($i: CreatePostInput!) { createPost(input: $i) { id title secretNote } }`, { i: { title: "t", body: "b", secretNote: "s" } }],
    ["query: 100-post selection with fragments", `query { posts(first: 100) { ...P author: authorId } me { id email posts { ...P } } } fragment P on Post { id title body published createdAt secretNote }`, {}],
  ] as const;
  const rows: (string | number)[][] = [];
  let mutationMicros = Number.NaN;
  for (const [name, query, variables] of cases) {
    const document = parse(query);
    const runOnce = () => analyzeOperation({ schema, document, variables, claims });
    for (let i = 0; i < 200; i++) runOnce();
    const rounds: number[] = [];
    for (let round = 0; round < options.rounds; round++) rounds.push(await timeAsync(options.iterations, runOnce));
    const micros = median(rounds);
    if (name.startsWith("createPost with")) mutationMicros = micros;
    const cached = createOperationAnalyzer(schema);
    const runCached = () => cached({ document, variables, claims });
    for (let i = 0; i < 200; i++) runCached();
    const cachedRounds: number[] = [];
    for (let round = 0; round < options.rounds; round++) cachedRounds.push(await timeAsync(options.iterations, runCached));
    rows.push([name, micros, median(cachedRounds)]);
  }
  return { table: table(["operation (demo schema)", "µs per analysis (median of rounds)", "µs with the server's cache (same document, token and variables)"], rows), mutationMicros };
}

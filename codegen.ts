// GraphQL Code Generator, both directions, from schema.graphql. Run `npm run generate`.
import { readFileSync } from "node:fs";
import type { CodegenConfig } from "@graphql-codegen/cli";

// A GraphQL type named like a Prisma model resolves from that model's row unless mapped below:
// a new model needs no entry here. Map a type explicitly when its resolvers receive something
// else (a view without secrets, a domain object).
const PRISMA_MODELS = [...readFileSync("prisma/schema.prisma", "utf8").matchAll(/^model\s+(\w+)\s*\{/gm)].map((match) => match[1]!);
const GRAPHQL_TYPES = new Set([...readFileSync("schema.graphql", "utf8").matchAll(/^(?:extend\s+)?type\s+(\w+)/gm)].map((match) => match[1]!));
const EXPLICIT_MAPPERS: Record<string, string> = {
  User: "../../domain/users.js#UserView",
  AuthPayload: "../refresh-token-delivery.js#DeliveredTokens",
  Viewer: "../../auth/caller.js#Principal",
  Session: "../../auth/sessions.js#SessionView",
  RegistrationPayload: "../refresh-token-delivery.js#DeliveredRegistration",
  AuditEvent: "../../domain/audit-log.js#AuditEventView",
  Role: "../../domain/roles.js#RoleView",
};
const MODEL_MAPPERS = Object.fromEntries(
  PRISMA_MODELS.filter((model) => GRAPHQL_TYPES.has(model)).map((model) => [model, `../../db/generated/client.js#${model}`]),
);

const config: CodegenConfig = {
  generates: {
    // The typed client example: TypedDocumentNodes for the documents it sends.
    "examples/typed-client/src/generated/": {
      // The schema as served, so the requirements in its descriptions reach the client's types.
      schema: "src/graphql/generated/served-schema.graphql",
      documents: ["examples/typed-client/src/**/*.ts", "!examples/typed-client/src/generated/**"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, emitLegacyCommonJSImports: false, scalars: { JSON: "unknown", DateTime: "string" } },
    },
    // The browser example (examples/web): the same preset for the page's documents.
    "examples/web/src/generated/": {
      schema: "src/graphql/generated/served-schema.graphql",
      documents: ["examples/web/src/**/*.ts", "!examples/web/src/generated/**"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, emitLegacyCommonJSImports: false, scalars: { JSON: "unknown", DateTime: "string" } },
    },
    "src/graphql/generated/resolvers-types.ts": {
      schema: "schema.graphql",
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useIndexSignature: false,
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        contextType: "../context.js#GraphQLContext",
        scalars: { JSON: "unknown", DateTime: "Date" },
        mapperTypeSuffix: "Model",
        mappers: { ...MODEL_MAPPERS, ...EXPLICIT_MAPPERS },
      },
    },
  },
};

export default config;

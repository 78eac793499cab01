// GraphQL Code Generator, both directions, from schema.graphql. Run `npm run generate`.
import type { CodegenConfig } from "@graphql-codegen/cli";

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
        mappers: {
          User: "../../domain/users.js#UserView",
          Post: "../../db/generated/client.js#Post",
          AuthPayload: "../refresh-token-delivery.js#DeliveredTokens",
          RegistrationPayload: "../refresh-token-delivery.js#DeliveredRegistration",
          AuditEvent: "../../domain/audit-log.js#AuditEventView",
          Viewer: "../../auth/authenticate.js#Principal",
          Session: "../../auth/sessions.js#SessionView",
        },
      },
    },
  },
};

export default config;

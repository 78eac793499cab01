// GraphQL Code Generator: resolver types from schema.graphql. Run `npm run generate`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "src/graphql/generated/resolvers-types.ts": {
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
          AuthPayload: "../../auth/sessions.js#IssuedTokens",
          Viewer: "../../auth/authenticate.js#Principal",
          Session: "../../auth/sessions.js#SessionView",
        },
      },
    },
  },
};

export default config;

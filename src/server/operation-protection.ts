import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { OperationLimits } from "../config/config.js";
import type { GraphQLContext } from "../graphql/context.js";
import { OneCredentialFieldRule } from "../graphql/one-credential-field-rule.js";

export interface OperationProtectionOptions {
  limits: OperationLimits;
  /** Hide "Did you mean …?" suggestions, which reveal the schema when introspection is off. */
  blockFieldSuggestions: boolean;
}

/** Depth, alias, cost and directive limits (GraphQL Armor), a token limit, and one credential field per document. */
export function operationProtection(options: OperationProtectionOptions) {
  const { limits } = options;
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    // graphql's own parser enforces the token limit (see parseOptions): Armor's plugin throws
    // from a hook, which Apollo answers with 500 instead of 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  }).protect();
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    // GraphQL Armor's declarations name Apollo's CommonJS types; the objects are the same at run time.
    plugins: plugins as unknown as ApolloServerPlugin<GraphQLContext>[],
    validationRules: [...validationRules, OneCredentialFieldRule],
  };
}

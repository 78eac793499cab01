/** The directives of schema.graphql, declared as a test schema built from scratch needs them. */
export const DIRECTIVE_DECLARATIONS = /* GraphQL */ `
  directive @requiresClaims(claims: [String!], anyOf: [[String!]!], enforce: Boolean = true)
    repeatable on OBJECT | INTERFACE | FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
  directive @public on FIELD_DEFINITION
`;

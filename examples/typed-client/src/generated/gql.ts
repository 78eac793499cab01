/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      refreshToken\n      expiresIn\n      user { id email }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Refresh($refreshToken: String!) {\n    refresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }\n  }\n": typeof types.RefreshDocument,
    "\n  query Me {\n    me { id email claims }\n  }\n": typeof types.MeDocument,
    "\n  query Posts($first: Int) {\n    posts(first: $first) { id title secretNote }\n  }\n": typeof types.PostsDocument,
    "\n  subscription PostPublished {\n    postPublished { id title }\n  }\n": typeof types.PostPublishedDocument,
    "\n  mutation RenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n": typeof types.RenewConnectionDocument,
};
const documents: Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      refreshToken\n      expiresIn\n      user { id email }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Refresh($refreshToken: String!) {\n    refresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }\n  }\n": types.RefreshDocument,
    "\n  query Me {\n    me { id email claims }\n  }\n": types.MeDocument,
    "\n  query Posts($first: Int) {\n    posts(first: $first) { id title secretNote }\n  }\n": types.PostsDocument,
    "\n  subscription PostPublished {\n    postPublished { id title }\n  }\n": types.PostPublishedDocument,
    "\n  mutation RenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n": types.RenewConnectionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      refreshToken\n      expiresIn\n      user { id email }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      accessToken\n      refreshToken\n      expiresIn\n      user { id email }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh($refreshToken: String!) {\n    refresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }\n  }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String!) {\n    refresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me { id email claims }\n  }\n"): (typeof documents)["\n  query Me {\n    me { id email claims }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Posts($first: Int) {\n    posts(first: $first) { id title secretNote }\n  }\n"): (typeof documents)["\n  query Posts($first: Int) {\n    posts(first: $first) { id title secretNote }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PostPublished {\n    postPublished { id title }\n  }\n"): (typeof documents)["\n  subscription PostPublished {\n    postPublished { id title }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n"): (typeof documents)["\n  mutation RenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
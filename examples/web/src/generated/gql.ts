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
    "\n  mutation WebLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken refreshToken user { id email } }\n  }\n": typeof types.WebLoginDocument,
    "\n  mutation WebRefresh {\n    refresh { accessToken user { id email } }\n  }\n": typeof types.WebRefreshDocument,
    "\n  mutation WebLogout {\n    logout\n  }\n": typeof types.WebLogoutDocument,
    "\n  query WebPosts {\n    posts(first: 20) { id title }\n  }\n": typeof types.WebPostsDocument,
    "\n  query WebMe {\n    me { id email }\n  }\n": typeof types.WebMeDocument,
    "\n  subscription WebPostPublished {\n    postPublished { id title }\n  }\n": typeof types.WebPostPublishedDocument,
    "\n  mutation WebRenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n": typeof types.WebRenewConnectionDocument,
};
const documents: Documents = {
    "\n  mutation WebLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken refreshToken user { id email } }\n  }\n": types.WebLoginDocument,
    "\n  mutation WebRefresh {\n    refresh { accessToken user { id email } }\n  }\n": types.WebRefreshDocument,
    "\n  mutation WebLogout {\n    logout\n  }\n": types.WebLogoutDocument,
    "\n  query WebPosts {\n    posts(first: 20) { id title }\n  }\n": types.WebPostsDocument,
    "\n  query WebMe {\n    me { id email }\n  }\n": types.WebMeDocument,
    "\n  subscription WebPostPublished {\n    postPublished { id title }\n  }\n": types.WebPostPublishedDocument,
    "\n  mutation WebRenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n": types.WebRenewConnectionDocument,
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
export function graphql(source: "\n  mutation WebLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken refreshToken user { id email } }\n  }\n"): (typeof documents)["\n  mutation WebLogin($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken refreshToken user { id email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebRefresh {\n    refresh { accessToken user { id email } }\n  }\n"): (typeof documents)["\n  mutation WebRefresh {\n    refresh { accessToken user { id email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebLogout {\n    logout\n  }\n"): (typeof documents)["\n  mutation WebLogout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebPosts {\n    posts(first: 20) { id title }\n  }\n"): (typeof documents)["\n  query WebPosts {\n    posts(first: 20) { id title }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebMe {\n    me { id email }\n  }\n"): (typeof documents)["\n  query WebMe {\n    me { id email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebPostPublished {\n    postPublished { id title }\n  }\n"): (typeof documents)["\n  subscription WebPostPublished {\n    postPublished { id title }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebRenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n"): (typeof documents)["\n  mutation WebRenewConnection($accessToken: String!) {\n    renewConnection(accessToken: $accessToken)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
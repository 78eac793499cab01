// The documents this client sends. `npm run generate` turns each into a TypedDocumentNode in
// ./generated, so results and variables are typed from schema.graphql.
import { graphql } from "./generated/index.js";

export const LoginDocument = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      refreshToken
      expiresIn
      user { id email }
    }
  }
`);

export const RefreshDocument = graphql(`
  mutation Refresh($refreshToken: String!) {
    refresh(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }
  }
`);

export const MeDocument = graphql(`
  query Me {
    me { id email claims }
  }
`);

export const PostsDocument = graphql(`
  query Posts($first: Int) {
    posts(first: $first) { id title secretNote }
  }
`);

export const PostPublishedDocument = graphql(`
  subscription PostPublished {
    postPublished { id title }
  }
`);

export const RenewConnectionDocument = graphql(`
  mutation RenewConnection($accessToken: String!) {
    renewConnection(accessToken: $accessToken)
  }
`);

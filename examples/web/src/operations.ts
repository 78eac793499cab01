// The documents the page sends; `npm run generate` types them from the schema (./generated).
import { graphql } from "./generated/index.js";

export const LoginDocument = graphql(`
  mutation WebLogin($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken refreshToken user { id email } }
  }
`);

export const RefreshDocument = graphql(`
  mutation WebRefresh {
    refresh { accessToken user { id email } }
  }
`);

export const LogoutDocument = graphql(`
  mutation WebLogout {
    logout
  }
`);

export const PostsDocument = graphql(`
  query WebPosts {
    posts(first: 20) { id title }
  }
`);

export const MeDocument = graphql(`
  query WebMe {
    me { id email }
  }
`);

export const PostPublishedDocument = graphql(`
  subscription WebPostPublished {
    postPublished { id title }
  }
`);

export const RenewConnectionDocument = graphql(`
  mutation WebRenewConnection($accessToken: String!) {
    renewConnection(accessToken: $accessToken)
  }
`);

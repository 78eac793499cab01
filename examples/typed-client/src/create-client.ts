import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { createAuthLink } from "./auth-link.js";
import { LoginDocument } from "./operations.js";
import { memoryTokenStore, type TokenStore } from "./token-store.js";

export interface ClaimgateClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql */
  url: string;
  store?: TokenStore;
}

/** An Apollo Client for claimgate: typed documents, bearer tokens and transparent refresh. */
export function createClaimgateClient(options: ClaimgateClientOptions) {
  const store = options.store ?? memoryTokenStore();
  const client = new ApolloClient({
    link: createAuthLink({ url: options.url, store }).concat(new HttpLink({ uri: options.url })),
    cache: new InMemoryCache(),
  });

  return {
    client,
    store,
    async login(email: string, password: string) {
      const { data } = await client.mutate({ mutation: LoginDocument, variables: { email, password } });
      if (!data) throw new Error("login returned no data");
      // Body mode (no Claimgate-Refresh-Token header): the refresh token is in the response.
      if (!data.login.refreshToken) throw new Error("login returned no refresh token");
      store.set({ accessToken: data.login.accessToken, refreshToken: data.login.refreshToken });
      return data.login.user;
    },
  };
}

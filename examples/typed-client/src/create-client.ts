import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { OperationTypeNode, print } from "graphql";
import { createClient as createSocketClient } from "graphql-ws";
import { createAuthLink } from "./auth-link.js";
import { LoginDocument, RenewConnectionDocument } from "./operations.js";
import { memoryTokenStore, type Tokens, type TokenStore } from "./token-store.js";

export interface ClaimgateClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql; subscriptions use the same path over ws(s). */
  url: string;
  store?: TokenStore;
  /** A WebSocket class where there is no global one (Node 20: `import WebSocket from "ws"`). */
  webSocketImpl?: unknown;
  /** The fetch every HTTP request goes through (the global one by default): a proxy agent, tracing, tests. */
  fetch?: typeof fetch;
}

/**
 * An Apollo Client for claimgate: typed documents, bearer tokens, transparent refresh, and
 * subscriptions over WebSocket that survive refreshes: each new access token is handed to the
 * open socket with renewConnection, so subscriptions continue without reconnecting.
 */
export function createClaimgateClient(options: ClaimgateClientOptions) {
  const store = options.store ?? memoryTokenStore();
  let socketOpen = false;
  let renewal: Promise<void> = Promise.resolve();
  // Node 20 has no global WebSocket: without webSocketImpl the client then works over HTTP only.
  const webSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  const socket = webSocketImpl === undefined ? null : createSocketClient({
    url: options.url.replace(/^http/, "ws"),
    // A function: every (re)connect presents the newest access token.
    connectionParams: () => {
      const tokens = store.get();
      return tokens ? { authorization: `Bearer ${tokens.accessToken}` } : {};
    },
    lazy: true,
    webSocketImpl,
  });
  socket?.on("connected", () => (socketOpen = true));
  socket?.on("closed", () => (socketOpen = false));
  const renew = (accessToken: string) =>
    new Promise<void>((resolve, reject) => {
      socket!.subscribe(
        { query: print(RenewConnectionDocument), variables: { accessToken } },
        { next: (result) => (result.errors ? reject(new Error(result.errors[0]!.message)) : resolve()), error: reject, complete: () => resolve() },
      );
    });
  // Every token the client stores (login, refresh) also goes to the open socket.
  const renewingStore: TokenStore = {
    get: () => store.get(),
    set(tokens: Tokens | null) {
      store.set(tokens);
      if (tokens && socketOpen) renewal = renew(tokens.accessToken);
    },
  };

  const authLink = createAuthLink({ url: options.url, store: renewingStore, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const overHttp = authLink.concat(new HttpLink({ uri: options.url, ...(options.fetch ? { fetch: options.fetch } : {}) }));
  const client = new ApolloClient({
    link: socket
      ? ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, new GraphQLWsLink(socket), overHttp)
      : overHttp,
    cache: new InMemoryCache(),
  });

  return {
    client,
    store,
    socket,
    async login(email: string, password: string) {
      const { data } = await client.mutate({ mutation: LoginDocument, variables: { email, password } });
      if (!data) throw new Error("login returned no data");
      // Body mode (no Claimgate-Refresh-Token header): the refresh token is in the response.
      if (!data.login.refreshToken) throw new Error("login returned no refresh token");
      renewingStore.set({ accessToken: data.login.accessToken, refreshToken: data.login.refreshToken });
      return data.login.user;
    },
    /** Refreshes now (ahead of expiry) and waits until an open socket has the new token. */
    async refresh(): Promise<Tokens> {
      const tokens = await authLink.refresh();
      await renewal;
      return tokens;
    },
    /** Closes the socket. */
    dispose: async () => socket?.dispose(),
  };
}

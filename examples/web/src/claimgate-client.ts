/// <reference lib="dom" />
// Apollo Client 4 for a page on another origin than the API, in cookie mode: the refresh
// token lives in an HttpOnly cookie the page cannot read; the access token only in memory.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { print } from "graphql";
import { createClient, type Client as SocketClient } from "graphql-ws";
import { OperationTypeNode } from "graphql";
import { from, mergeMap } from "rxjs";
import { RefreshDocument, RenewConnectionDocument } from "./operations.js";

export interface Session {
  accessToken: string;
  user: { id: string; email: string };
}

export interface ClaimgateClient {
  readonly apollo: ApolloClient;
  readonly socket: SocketClient;
  session(): Session | null;
  /** Stores a session a login just returned. */
  start(session: Session): void;
  /** Refreshes through the cookie; concurrent callers share one refresh (a refresh token works once). */
  refreshOnce(): Promise<Session>;
  forget(): void;
  refreshCount(): number;
}

/** Cookie mode: this header on login makes the server set the cookie instead of returning the token. */
const COOKIE_MODE = { "claimgate-refresh-token": "cookie" };

const isTokenExpired = (error: unknown) =>
  CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.["code"] === "UNAUTHENTICATED" && e.extensions["reason"] === "TOKEN_EXPIRED");

export function createClaimgateClient(apiUrl: string, onSessionChange: (session: Session | null) => void): ClaimgateClient {
  let session: Session | null = null;
  let refreshing: Promise<Session> | null = null;
  let refreshes = 0;
  const setSession = (next: Session | null) => {
    session = next;
    onSessionChange(next);
  };

  const refreshOnce = (): Promise<Session> => {
    refreshing ??= (async () => {
      // credentials: "include" sends the cookie to the API's origin; the page never sees it.
      const response = await fetch(apiUrl, {
        method: "POST",
        credentials: "include",
        headers: { "content-type": "application/json", ...COOKIE_MODE },
        body: JSON.stringify({ query: print(RefreshDocument) }),
      });
      const body = (await response.json()) as { data?: { refresh: Session } | null; errors?: { message: string }[] };
      if (!body.data?.refresh) {
        setSession(null);
        throw new Error(body.errors?.[0]?.message ?? `refresh failed with ${response.status}`);
      }
      refreshes += 1;
      setSession(body.data.refresh);
      // Subscriptions continue: the open socket takes the new token without reconnecting.
      renewSocket(body.data.refresh.accessToken);
      return body.data.refresh;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const socket = createClient({
    url: apiUrl.replace(/^http/, "ws"),
    // Called on every (re)connect, so a reconnect always presents the newest token.
    connectionParams: () => (session ? { authorization: `Bearer ${session.accessToken}` } : {}),
    lazy: true,
  });
  let socketOpen = false;
  socket.on("connected", () => (socketOpen = true));
  socket.on("closed", () => (socketOpen = false));
  const renewSocket = (accessToken: string) => {
    if (!socketOpen) return;
    const stop = socket.subscribe(
      { query: print(RenewConnectionDocument), variables: { accessToken } },
      { next: () => {}, error: () => stop(), complete: () => {} },
    );
  };

  const attachToken = new SetContextLink((previous) => ({
    headers: { ...previous["headers"], ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}) },
    // Which token this attempt carried: its TOKEN_EXPIRED may arrive after another operation's refresh.
    tokenUsed: session?.accessToken,
  }));
  const refreshOnExpiry = new ErrorLink(({ error, operation, forward }) => {
    if (!isTokenExpired(error) || operation.getContext()["retried"]) return;
    const renewedSince = session !== null && operation.getContext()["tokenUsed"] !== session.accessToken;
    operation.setContext({ retried: true });
    // Refreshed already (by a concurrent operation whose answer came first): retry with the new token.
    return from(renewedSince ? Promise.resolve() : refreshOnce()).pipe(mergeMap(() => forward(operation)));
  });
  const http = new HttpLink({ uri: apiUrl, credentials: "include", headers: COOKIE_MODE });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(socket),
    ApolloLink.from([refreshOnExpiry, attachToken, http]),
  );
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });

  return {
    apollo,
    socket,
    session: () => session,
    start: (next) => setSession(next),
    refreshOnce,
    forget() {
      setSession(null);
      socket.terminate();
    },
    refreshCount: () => refreshes,
  };
}

import { ApolloLink } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { print } from "graphql";
import { from, mergeMap } from "rxjs";
import { isTokenExpired } from "./claimgate-errors.js";
import { RefreshDocument } from "./operations.js";
import type { Tokens, TokenStore } from "./token-store.js";

export interface AuthLinkOptions {
  url: string;
  store: TokenStore;
  fetch?: typeof fetch;
}

/**
 * Attaches `Authorization: Bearer <accessToken>`; when the server answers TOKEN_EXPIRED, calls
 * `refresh` once, stores the rotated tokens and retries the operation once. Concurrent
 * operations share one refresh, because a refresh token works only once.
 */
export function createAuthLink(options: AuthLinkOptions): ApolloLink & { refresh(): Promise<Tokens> } {
  const fetchFn = options.fetch ?? fetch;
  let refreshing: Promise<Tokens> | null = null;

  const refreshOnce = (): Promise<Tokens> => {
    refreshing ??= (async () => {
      const current = options.store.get();
      if (!current) throw new Error("no refresh token: log in first");
      const response = await fetchFn(options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: print(RefreshDocument), variables: { refreshToken: current.refreshToken } }),
      });
      const body = (await response.json()) as { data?: { refresh: Tokens } | null; errors?: { message: string }[] };
      if (!body.data?.refresh) {
        options.store.set(null);
        throw new Error(`refresh failed: ${body.errors?.[0]?.message ?? response.status}`);
      }
      const { accessToken, refreshToken } = body.data.refresh;
      options.store.set({ accessToken, refreshToken });
      return { accessToken, refreshToken };
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const attachToken = new SetContextLink((previous) => {
    const tokens = options.store.get();
    // Which token this attempt carried: its TOKEN_EXPIRED may arrive after another operation's refresh.
    return tokens ? { headers: { ...previous["headers"], authorization: `Bearer ${tokens.accessToken}` }, claimgateTokenUsed: tokens.accessToken } : {};
  });

  const refreshOnExpiry = new ErrorLink(({ error, operation, forward }) => {
    if (!isTokenExpired(error) || operation.getContext()["claimgateRetried"]) return;
    const current = options.store.get();
    // A concurrent operation's refresh already replaced the token this one was sent with: retry
    // with the new one. Refreshing again would spend the new refresh token for nothing.
    const renewedSince = current !== null && operation.getContext()["claimgateTokenUsed"] !== current.accessToken;
    operation.setContext({ claimgateRetried: true });
    return from(renewedSince ? Promise.resolve(current) : refreshOnce()).pipe(mergeMap(() => forward(operation)));
  });

  // refresh(): the same shared refresh, for callers that renew ahead of expiry.
  return Object.assign(ApolloLink.from([refreshOnExpiry, attachToken]), { refresh: refreshOnce });
}

/** Where the client keeps its tokens. In a browser, back it with memory or secure storage. */
export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
  };
}

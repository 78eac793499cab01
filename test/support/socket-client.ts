import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface SocketClose {
  code: number;
  reason: string;
}

/** What one subscription received, in order; `done` settles on complete or error. */
export interface Received {
  readonly results: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] }[];
  /** Settles with the `error` message's errors, or null on complete. */
  readonly done: Promise<{ message: string; extensions?: Record<string, any> }[] | SocketClose | null>;
  /** The next result not yet taken by next(), waiting for it if needed. */
  next(): Promise<Received["results"][number]>;
  stop(): void;
}

export interface TestSocket {
  readonly client: Client;
  /** Settles when the socket closes, with the server's code and reason. */
  readonly closed: Promise<SocketClose>;
  readonly connected: Promise<void>;
  subscribe(query: string, variables?: Record<string, unknown>): Received;
  /** Runs a single-result operation (renewConnection) and returns its result. */
  request(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
  dispose(): Promise<void>;
}

/** A graphql-ws client that never retries, so each test sees exactly what the server did. */
export function openSocket(httpUrl: string, accessToken?: string): TestSocket {
  let onClosed!: (close: SocketClose) => void;
  const closed = new Promise<SocketClose>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    onNonLazyError: () => {},
    connectionParams: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }),
    },
  });
  client.on("error", () => {});
  const subscribe = (query: string, variables?: Record<string, unknown>): Received => {
    const results: Received["results"] = [];
    const waiting: { count: number; resolve: (value: any) => void }[] = [];
    let settle!: (value: any) => void;
    const done = new Promise<any>((resolve) => (settle = resolve));
    const stop = client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next(value) {
          results.push(value as any);
          for (const waiter of waiting.filter((w) => w.count <= results.length)) waiter.resolve(results[waiter.count - 1]);
        },
        error(error) {
          settle(Array.isArray(error) ? error : { code: (error as any).code, reason: String((error as any).reason) });
        },
        complete() {
          settle(null);
        },
      },
    );
    let taken = 0;
    return {
      results,
      done,
      stop,
      next() {
        const count = ++taken;
        if (results.length >= count) return Promise.resolve(results[count - 1]!);
        return new Promise((resolve) => waiting.push({ count, resolve }));
      },
    };
  };
  return {
    client,
    closed,
    connected,
    subscribe,
    async request(query, variables) {
      const received = subscribe(query, variables);
      const outcome = await Promise.race([received.next(), received.done]);
      if (Array.isArray(outcome)) return { errors: outcome };
      return outcome as any;
    },
    dispose: async () => client.dispose(),
  };
}

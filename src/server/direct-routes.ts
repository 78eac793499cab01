import type http from "node:http";
import type { Express } from "express";

/** Node's request, with the parsed body a JSON handler leaves on it. */
export type PlainRequest = http.IncomingMessage & { body?: unknown };
export type PlainNext = (error?: unknown) => void;
/**
 * A handler for Node's own request and response, without Express's methods: what a direct route
 * runs. The same function can be mounted in Express too (its objects are Node's, extended).
 */
export type PlainHandler = (req: PlainRequest, res: http.ServerResponse, next: PlainNext) => unknown;
export type PlainErrorHandler = (error: unknown, req: PlainRequest, res: http.ServerResponse, next: PlainNext) => unknown;

export interface DirectRoute {
  readonly method: "GET" | "POST";
  /** Matched exactly (no query string, no trailing slash); other forms of the URL go through Express's router. */
  readonly path: string;
  readonly handlers: readonly PlainHandler[];
  /** Where a handler's error goes, as `app.use(errorHandler)` would receive it. */
  readonly onError: PlainErrorHandler;
}

export interface DirectRoutes {
  /** The HTTP server's request listener: direct routes first, everything else to Express. */
  readonly listener: http.RequestListener;
  add(route: DirectRoute): void;
}

/**
 * Serves a few exact routes without Express's router. Every GraphQL POST used to walk the router's
 * layer stack, matching and re-matching paths and rewriting `req.url` for each mounted middleware:
 * about a tenth of the server's CPU for a refresh. A direct route gives its handlers Node's own
 * request and response, not Express's: Express swaps their prototypes for its own, and objects of
 * another prototype make every later access to them in Node's HTTP code slower (measured: a
 * refresh cost 13–20 % more server CPU). Its handlers use Node's API only (client-address.ts for
 * the address `trust proxy` allows, refresh-cookie.ts and cors-middleware.ts write their headers
 * themselves). It runs them in order, with Express 5's rules: a
 * rejected promise or a thrown error goes to `onError`; one it cannot answer (the response had
 * begun) goes to `onAbandoned` and the connection is closed, as Express's final handler does. The
 * same handlers stay mounted in Express for every other form of the URL.
 */
export function directRoutes(app: Express, options: { onAbandoned: (error: unknown) => void }): DirectRoutes {
  const routes = new Map<string, DirectRoute>();
  return {
    add(route) {
      routes.set(`${route.method} ${route.path}`, route);
    },
    listener(incoming, outgoing) {
      const route = routes.size === 0 ? undefined : routes.get(`${incoming.method} ${incoming.url}`);
      if (!route) return app(incoming, outgoing);
      // What app.handle does first, besides giving the objects Express's prototypes (see above).
      if (app.enabled("x-powered-by")) outgoing.setHeader("X-Powered-By", "Express");
      runChain(route, incoming, outgoing, options.onAbandoned);
    },
  };
}

function runChain(route: DirectRoute, req: PlainRequest, res: http.ServerResponse, onAbandoned: (error: unknown) => void): void {
  let index = 0;
  const abandon = (error: unknown) => {
    // The answer has begun and cannot become an error answer: end the connection, and say why.
    onAbandoned(error);
    req.socket.destroy();
  };
  const fail = (error: unknown) => {
    try {
      route.onError(error, req, res, abandon);
    } catch (thrown) {
      abandon(thrown);
    }
  };
  const next: PlainNext = (error?: unknown) => {
    if (error) return fail(error);
    const handler = route.handlers[index++];
    if (!handler) return fail(new Error(`${route.method} ${route.path}: the last handler called next()`));
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise) result.catch(fail);
    } catch (thrown) {
      fail(thrown);
    }
  };
  next();
}

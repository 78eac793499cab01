import type http from "node:http";
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from "express";

export interface DirectRoute {
  readonly method: "GET" | "POST";
  /** Matched exactly (no query string, no trailing slash); other forms of the URL go through Express's router. */
  readonly path: string;
  readonly handlers: readonly RequestHandler[];
  /** Where a handler's error goes, as `app.use(errorHandler)` would receive it. */
  readonly onError: ErrorRequestHandler;
}

export interface DirectRoutes {
  /** The HTTP server's request listener: direct routes first, everything else to Express. */
  readonly listener: http.RequestListener;
  add(route: DirectRoute): void;
}

/**
 * Serves a few exact routes without Express's router. Every GraphQL POST used to walk the router's
 * layer stack, matching and re-matching paths and rewriting `req.url` for each mounted middleware:
 * about a tenth of the server's CPU for a refresh. A direct route gives its handlers the same
 * request and response objects Express would (its prototypes, so `req.ip` honours `trust proxy`,
 * and `res.cookie` and `res.vary` work) and runs them in order, with Express 5's rules: a
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
      const req = incoming as Request;
      const res = outgoing as Response;
      // What app.handle does before its router runs (Express 5, application.js).
      if (app.enabled("x-powered-by")) res.setHeader("X-Powered-By", "Express");
      req.res = res;
      res.req = req;
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      res.locals ??= Object.create(null) as Record<string, unknown>;
      runChain(route, req, res, options.onAbandoned);
    },
  };
}

function runChain(route: DirectRoute, req: Request, res: Response, onAbandoned: (error: unknown) => void): void {
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
  const next: NextFunction = (error?: unknown) => {
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

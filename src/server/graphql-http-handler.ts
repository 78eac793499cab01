import { type ApolloServer, type BaseContext, type ContextFunction, HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from "@apollo/server";
import type { ServerResponse } from "node:http";
import type { Response } from "express";
import type { PlainHandler, PlainRequest } from "./direct-routes.js";
import type { LeanGraphQLPath } from "./lean-graphql-path.js";

type HandlerOptions<Context extends BaseContext> = {
  context: ContextFunction<[{ req: PlainRequest; res: ServerResponse }], Context>;
  lean?: LeanGraphQLPath<Context>;
};

/**
 * Apollo Server over Express, as `@as-integrations/express5` does it, minus two costs every
 * GraphQL POST paid for nothing: `url.parse` of the request URL, and `res.send`, which hashes
 * the body for an ETag no client of a POST can use. GET requests (persisted or cached queries)
 * still go through `res.send`, so their ETag and 304 answers stay. The common request (a JSON
 * POST of a valid document) takes the lean path, which answers as Apollo would without its
 * request pipeline (lean-graphql-path.ts).
 */
export function graphqlHttpHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  options: HandlerOptions<Context>,
): PlainHandler {
  apollo.assertStarted("graphqlHttpHandler()");
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const name in req.headers) {
      const value = req.headers[name];
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: (req.method ?? "GET").toUpperCase(), headers, search: query < 0 ? "" : url.slice(query), body: req.body };
    const response = await answer(apollo, options, httpGraphQLRequest, req, res);
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      if (req.method !== "POST") {
        // Only POSTs take the direct route: a GET came through Express's router, and its res.send
        // adds the ETag that lets a client's cache get a 304.
        (res as Response).send(response.body.string);
        return;
      }
      res.setHeader("Content-Length", Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    // Incremental delivery (@defer): chunks as Apollo yields them.
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

async function answer<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  options: HandlerOptions<Context>,
  httpGraphQLRequest: HTTPGraphQLRequest,
  req: PlainRequest,
  res: ServerResponse,
): Promise<HTTPGraphQLResponse> {
  const lean = options.lean?.accept(httpGraphQLRequest);
  if (!lean) return apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => options.context({ req, res }) });
  let contextValue: Context;
  try {
    contextValue = await options.context({ req, res });
  } catch (error) {
    // A context that fails is answered by Apollo, which has its own words for it.
    return apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => Promise.reject(error) });
  }
  return options.lean!.serve(lean, contextValue);
}

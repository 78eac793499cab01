import {
  type ApolloServerPlugin,
  type BaseContext,
  type GraphQLRequest,
  type GraphQLRequestContext,
  type GraphQLRequestListener,
  type GraphQLResponse,
  HeaderMap,
  type HTTPGraphQLHead,
  type HTTPGraphQLRequest,
  type HTTPGraphQLResponse,
} from "@apollo/server";
import { execute, type ExecutionResult, getOperationAST, GraphQLError, Kind, type GraphQLSchema, type OperationDefinitionNode, version as graphqlVersion } from "graphql";
import Negotiator from "negotiator";
import { type ErrorFormattingOptions, ensureError, ensureGraphQLError, formatGraphQLErrors, mergeHttpHead } from "./graphql-error-formatting.js";
import type { PreparedDocument, PreparedDocuments } from "./prepared-documents.js";

/**
 * The lean path serves the common GraphQL request — a JSON POST of a document that parses and
 * validates (each distinct text prepared once, prepared-documents.ts), not a persisted query,
 * answered with one JSON result — without Apollo Server's request pipeline, and
 * answers it exactly as Apollo would: the same plugins (hook by hook, in Apollo's order, with the
 * same request context), the same execution (graphql-js `execute`, which is what Apollo runs on
 * graphql 16), the same error formatting, status, headers and body. Everything else — GETs,
 * batches, persisted queries, documents that do not parse or validate, unacceptable `Accept`
 * headers, a failed context, a server that is stopping — goes to Apollo, unchanged.
 *
 * Why: on the auth hot path (login, refresh) Apollo's pipeline cost a quarter of the server's CPU
 * per request (hashing each query text again, negotiating the media type three times, an
 * asynchronous document store, a promise per plugin per stage). See README "Performance".
 * test/integration/lean-graphql-path.test.ts sends the same requests through both and compares.
 *
 * `parsingDidStart` and `validationDidStart` are called on a text's first request only, as Apollo
 * calls them when its document store lacks the text. `willResolveField` is refused (it needs
 * Apollo's resolver instrumentation; none of this server's plugins uses it, see mutation-effects.ts):
 * a plugin that needs it means starting the server with `leanGraphQLPath: false`.
 */

/** The single-result media types Apollo Server offers, in its order of preference (its MEDIA_TYPES). */
const MEDIA_TYPES = {
  json: "application/json; charset=utf-8",
  graphqlResponseJson: "application/graphql-response+json; charset=utf-8",
  // Apollo answers with this one when Accept prefers it (`application/json;callbackSpec=1.0`).
  jsonCallback: "application/json; callbackSpec=1.0; charset=utf-8",
} as const;

/** What the lean path will serve: the request Apollo would build, the document and the operation it names. */
export interface LeanRequest {
  readonly request: GraphQLRequest;
  readonly prepared: PreparedDocument;
  readonly operation: OperationDefinitionNode;
  /** Parsed and validated for this request: Apollo, missing its document store, calls the parsing and validation hooks. */
  readonly fresh: boolean;
  /** The media type of the answer, as Apollo Server chooses it from `Accept`. */
  readonly contentType: string;
}

export interface LeanGraphQLPathOptions<Context extends BaseContext> {
  readonly schema: GraphQLSchema;
  /** The plugins Apollo Server is given, the same objects, in the same order. */
  readonly plugins: readonly ApolloServerPlugin<Context>[];
  readonly documents: PreparedDocuments;
  readonly errors: ErrorFormattingOptions;
}

export interface LeanGraphQLPath<Context extends BaseContext> {
  /** Give to Apollo Server with the other plugins: the lean path serves only while Apollo would. */
  readonly lifecyclePlugin: ApolloServerPlugin<Context>;
  /** The request as the lean path would serve it, or null when it is Apollo's to answer. */
  accept(httpRequest: HTTPGraphQLRequest): LeanRequest | null;
  serve(lean: LeanRequest, contextValue: Context): Promise<HTTPGraphQLResponse>;
  /** Requests served so far (claimgate_graphql_lean_requests_total). */
  readonly servedCount: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === "object" && !Buffer.isBuffer(value) && !Array.isArray(value);

/** `application/json` with any parameters: neither a CSRF-prone "simple" type nor anything Apollo refuses. */
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** Apollo's answer to a bad variable value (BAD_USER_INPUT), recognised by graphql-js's own messages. */
function isBadUserInput(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const variable = `Variable "$${node.variable.name.value}"`;
  return [" has invalid value", " got invalid value ", " of required type ", " of non-null type "].some((tail) => error.message.startsWith(variable + tail));
}

/** Apollo Server's UserInputError, which it does not export. */
function userInputError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
  });
  converted.name = "UserInputError";
  return converted;
}

/** Apollo Server's per-request cache policy; nothing sets hints here (cache control is off), but plugins may read it. */
function newCachePolicy(): CachePolicy {
  return {
    maxAge: undefined,
    scope: undefined,
    restrict(hint: CacheHint) {
      if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined && this.scope !== "PRIVATE") this.scope = hint.scope;
    },
    replace(hint: CacheHint) {
      if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined) this.scope = hint.scope;
    },
    policyIfCacheable() {
      if (this.maxAge === undefined || this.maxAge === 0) return null;
      return { maxAge: this.maxAge, scope: this.scope ?? "PUBLIC" };
    },
  };
}

// Apollo's own types, named through what @apollo/server exports.
type ApolloLogger = GraphQLRequestContext<BaseContext>["logger"];
type KeyValueCache = GraphQLRequestContext<BaseContext>["cache"];
type CachePolicy = GraphQLRequestContext<BaseContext>["overallCachePolicy"];
type CacheHint = Parameters<CachePolicy["restrict"]>[0];

/** What parsingDidStart and validationDidStart may return (both take an optional error argument). */
type DidEndHook = (error?: never) => unknown;

/** One request context through every stage, as in Apollo; each hook's type names the fields set by then. */
const stage = <T>(requestContext: object): T => requestContext as T;

type ListenerHook = "didResolveSource" | "didResolveOperation" | "didEncounterErrors" | "willSendResponse";

/**
 * `await Promise.all(listeners.map((l) => l.hook?.(requestContext)))`, as Apollo calls each
 * stage's hooks, without a promise for a stage no listener has a hook for (most of them).
 */
function eachListener<Context extends BaseContext>(listeners: readonly GraphQLRequestListener<Context>[], hook: ListenerHook, requestContext: object): Promise<unknown> | undefined {
  let pending: unknown[] | undefined;
  for (const listener of listeners) {
    const call = listener[hook] as ((this: GraphQLRequestListener<Context>, context: unknown) => Promise<void>) | undefined;
    if (call !== undefined) (pending ??= []).push(call.call(listener, requestContext));
  }
  return pending && Promise.all(pending);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The request context as Apollo fills it stage by stage. Plugins receive it typed for their
 * stage, as Apollo hands them its own (one object throughout).
 */
type LeanRequestContext<Context extends BaseContext> = Mutable<GraphQLRequestContext<Context>> & { response: { http: HTTPGraphQLHead; body?: GraphQLResponse["body"] } };

export function leanGraphQLPath<Context extends BaseContext>(options: LeanGraphQLPathOptions<Context>): LeanGraphQLPath<Context> {
  // Apollo executes incrementally (@defer, @stream) only on graphql 17, where the lean path would differ.
  const supported = graphqlVersion.startsWith("16.");
  // Apollo Server's own logger and cache, which plugins see in the request context.
  let apollo: { logger: ApolloLogger; cache: KeyValueCache } | undefined;
  let serving = false;
  let servedCount = 0;
  // Clients send the same Accept header with every request: negotiate each distinct one once.
  const contentTypes = new Map<string, string | null>();
  const contentTypeFor = (accept: string | undefined): string | null => {
    if (!accept) return MEDIA_TYPES.json;
    let chosen = contentTypes.get(accept);
    if (chosen === undefined) {
      chosen = new Negotiator({ headers: { accept } }).mediaType([MEDIA_TYPES.json, MEDIA_TYPES.graphqlResponseJson, MEDIA_TYPES.jsonCallback]) ?? null;
      if (contentTypes.size >= 100) contentTypes.clear();
      contentTypes.set(accept, chosen);
    }
    return chosen;
  };

  const lifecyclePlugin: ApolloServerPlugin<Context> = {
    async serverWillStart({ logger, cache }) {
      apollo = { logger, cache };
      serving = true;
      return {
        async serverWillStop() {
          // Apollo refuses operations from here on ("while the server is stopping"): let it say so.
          serving = false;
        },
      };
    },
  };

  function accept(httpRequest: HTTPGraphQLRequest): LeanRequest | null {
    if (!supported || !serving || httpRequest.method !== "POST") return null;
    const contentType = httpRequest.headers.get("content-type");
    if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) return null;
    const body = httpRequest.body;
    if (!isRecord(body)) return null;
    const { query, variables, extensions, operationName } = body;
    if (typeof query !== "string" || query === "") return null;
    if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
    if (extensions !== undefined && extensions !== null && !isRecord(extensions)) return null;
    // Persisted queries keep Apollo's own handling.
    if (isRecord(extensions) && extensions["persistedQuery"]) return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return null;
    const chosenType = contentTypeFor(httpRequest.headers.get("accept"));
    if (chosenType === null) return null;
    const fresh = !options.documents.has(query);
    const prepared = options.documents.get(query);
    if (prepared === null) return null;
    const request: GraphQLRequest = {
      query,
      operationName: typeof operationName === "string" ? operationName : undefined,
      variables: isRecord(variables) ? variables : undefined,
      extensions: isRecord(extensions) ? extensions : undefined,
      http: httpRequest,
    };
    const operation = getOperationAST(prepared.document, request.operationName);
    // No such operation, or a subscription: Apollo's errors, from Apollo.
    if (!operation || operation.operation === "subscription") return null;
    return { request, prepared, operation, contentType: chosenType, fresh };
  }

  async function serve(lean: LeanRequest, contextValue: Context): Promise<HTTPGraphQLResponse> {
    // Accepted while Apollo served (so it has started); like Apollo, what was accepted runs to the end.
    const { logger, cache } = apollo!;
    servedCount++;
    const requestContext: LeanRequestContext<Context> = {
      logger,
      cache,
      schema: options.schema,
      request: lean.request,
      response: { http: { status: undefined, headers: new HeaderMap() } },
      // Apollo gives each request a shallow copy of the context value.
      contextValue: Object.assign(Object.create(Object.getPrototypeOf(contextValue) as object) as Context, contextValue),
      metrics: {},
      overallCachePolicy: newCachePolicy(),
      requestIsBatched: false,
    };
    let result;
    try {
      await processRequest(lean, requestContext);
      const { body } = requestContext.response;
      // Only a plugin answering with an incremental result could leave anything else; none does.
      if (body?.kind !== "single") throw new Error("the lean path answers single results only");
      result = body.singleResult;
    } catch (maybeError) {
      const error = ensureError(maybeError);
      try {
        await Promise.all(options.plugins.map(async (plugin) => plugin.unexpectedErrorProcessingRequest?.({ requestContext, error })));
      } catch (hookError) {
        // Apollo lets an error from this hook escape the operation; its HTTP handler answers it
        // (GraphQL Armor's token limit throws a BAD_REQUEST from here).
        return escapedErrorResponse(hookError, lean.contentType);
      }
      logger.error(`Unexpected error processing request: ${error}`);
      return errorResponse(new Error("Internal server error"), lean.contentType);
    }
    const { http } = requestContext.response;
    if (!http.headers.get("content-type")) http.headers.set("content-type", lean.contentType);
    const { errors, data, extensions } = result;
    return { status: http.status, headers: http.headers, body: { kind: "complete", string: `${JSON.stringify({ errors, data, extensions })}\n` } };
  }

  /** Apollo Server's processGraphQLRequest from the point where its document store has the document. */
  async function processRequest(lean: LeanRequest, requestContext: LeanRequestContext<Context>): Promise<void> {
    const listeners = (await Promise.all(options.plugins.map((plugin) => plugin.requestDidStart?.(requestContext)))).filter(
      (listener): listener is GraphQLRequestListener<Context> => listener !== undefined && listener !== null,
    );
    requestContext.metrics.persistedQueryHit = false;
    requestContext.metrics.persistedQueryRegister = false;
    requestContext.queryHash = lean.prepared.queryHash;
    requestContext.source = lean.request.query!;
    await eachListener(listeners, "didResolveSource", requestContext);
    if (lean.fresh) {
      // Apollo parses and validates a text its document store lacks between these hooks.
      const parsingDidEnd = await invokeDidStartHook(listeners, (listener) => listener.parsingDidStart?.(stage(requestContext)));
      requestContext.document = lean.prepared.document;
      await parsingDidEnd();
      const validationDidEnd = await invokeDidStartHook(listeners, (listener) => listener.validationDidStart?.(stage(requestContext)));
      await validationDidEnd();
    }
    requestContext.document = lean.prepared.document;
    requestContext.operation = lean.operation;
    requestContext.operationName = lean.operation.name?.value ?? null;

    const didEncounterErrors = async (errors: readonly GraphQLError[]) => {
      requestContext.errors = errors;
      await eachListener(listeners, "didEncounterErrors", requestContext);
    };
    const willSendResponse = () => eachListener(listeners, "willSendResponse", requestContext);
    const sendErrorResponse = async (errors: readonly GraphQLError[]) => {
      await didEncounterErrors(errors);
      const { formattedErrors, http } = formatGraphQLErrors(errors, options.errors);
      requestContext.response.body = { kind: "single", singleResult: { errors: formattedErrors } };
      mergeHttpHead(requestContext.response.http, http);
      requestContext.response.http.status ??= 500;
      await willSendResponse();
    };

    try {
      await eachListener(listeners, "didResolveOperation", requestContext);
    } catch (error) {
      return sendErrorResponse([ensureGraphQLError(error)]);
    }
    let fromPlugin: GraphQLResponse | null = null;
    for (const listener of listeners) {
      fromPlugin = (await listener.responseForOperation?.(stage(requestContext))) ?? null;
      if (fromPlugin !== null) break;
    }
    if (fromPlugin !== null) {
      requestContext.response.body = fromPlugin.body;
      mergeHttpHead(requestContext.response.http, fromPlugin.http);
    } else {
      const executionListeners = (await Promise.all(listeners.map((listener) => listener.executionDidStart?.(stage(requestContext))))).filter(
        (listener) => listener !== undefined && listener !== null,
      );
      executionListeners.reverse();
      // Per-field hooks need Apollo's resolver instrumentation; none of this server's plugins has one.
      if (executionListeners.some((listener) => listener.willResolveField)) throw new Error("willResolveField is not supported on the lean GraphQL path");
      try {
        const result: ExecutionResult = await execute({
          schema: options.schema,
          document: lean.prepared.document,
          contextValue: requestContext.contextValue,
          variableValues: lean.request.variables,
          operationName: lean.request.operationName,
        });
        const resultErrors = result.errors?.map((error) => (isBadUserInput(error) && error.extensions["code"] == null ? userInputError(error) : error));
        if (resultErrors) await didEncounterErrors(resultErrors);
        const formatted = resultErrors ? formatGraphQLErrors(resultErrors, options.errors) : undefined;
        const http = formatted?.http ?? { status: undefined, headers: new HeaderMap() };
        // Variables that could not be coerced: nothing ran (Apollo's status400ForVariableCoercionErrors).
        if (resultErrors?.length && result.data === undefined && !http.status) http.status = 400;
        mergeHttpHead(requestContext.response.http, http);
        requestContext.response.body = { kind: "single", singleResult: { ...result, errors: formatted?.formattedErrors } };
      } catch (executionMaybeError) {
        const executionError = ensureError(executionMaybeError);
        await Promise.all(executionListeners.map((listener) => listener.executionDidEnd?.(executionError)));
        return sendErrorResponse([ensureGraphQLError(executionError)]);
      }
      await Promise.all(executionListeners.map((listener) => listener.executionDidEnd?.()));
    }
    await willSendResponse();
  }

  /** Apollo Server's invokeDidStartHook: every start hook at once, then their end hooks in reverse, not awaited. */
  async function invokeDidStartHook(
    listeners: readonly GraphQLRequestListener<Context>[],
    hook: (listener: GraphQLRequestListener<Context>) => Promise<DidEndHook | void> | undefined,
  ): Promise<() => Promise<void>> {
    const ends = (await Promise.all(listeners.map(hook))).filter((end): end is DidEndHook => typeof end === "function");
    ends.reverse();
    // Nothing went wrong on the lean path: the end hooks hear no errors.
    return async () => {
      for (const end of ends) void end();
    };
  }

  /** Apollo Server's answer to an error that escaped the operation (executeHTTPGraphQLRequest's catch). */
  async function escapedErrorResponse(error: unknown, contentType: string): Promise<HTTPGraphQLResponse> {
    if (error instanceof GraphQLError && error.extensions["code"] === "BAD_REQUEST") {
      try {
        await Promise.all(options.plugins.map(async (plugin) => plugin.invalidRequestWasReceived?.({ error })));
      } catch (pluginError) {
        apollo!.logger.error(`invalidRequestWasReceived hook threw: ${String(pluginError)}`);
      }
    }
    return errorResponse(error, contentType);
  }

  /** Apollo Server's answer to an error outside any operation (its `errorResponse`). */
  function errorResponse(error: unknown, contentType: string): HTTPGraphQLResponse {
    const { formattedErrors, http } = formatGraphQLErrors([error], options.errors);
    return {
      status: http.status ?? 500,
      headers: new HeaderMap([...http.headers, ["content-type", contentType]]),
      body: { kind: "complete", string: `${JSON.stringify({ errors: formattedErrors })}\n` },
    };
  }

  return {
    lifecyclePlugin,
    accept,
    serve,
    get servedCount() {
      return servedCount;
    },
  };
}

import Negotiator from "negotiator";

/** The two media types GraphQL over HTTP defines for single results. */
export type GraphQLMediaType = "application/json" | "application/graphql-response+json";

/**
 * The media type Apollo Server answers with, chosen the same way it does: no Accept header,
 * or one `application/json` satisfies as well (e.g. `*∕*` from Apollo Client 3 or curl), gets
 * `application/json`, the legacy type whose clients expect 200 for every executed operation.
 */
export function negotiateMediaType(accept: string | undefined | null): GraphQLMediaType {
  if (!accept) return "application/json";
  const preferred = new Negotiator({ headers: { accept } }).mediaType(["application/json", "application/graphql-response+json"]);
  return preferred === "application/graphql-response+json" ? preferred : "application/json";
}

export interface ResponseError {
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
  readonly path?: readonly (string | number)[] | undefined;
}

export interface ResponseStatusInput {
  readonly mediaType: GraphQLMediaType;
  /** The result's `data`: undefined when execution never started, null when it produced nothing. */
  readonly data: unknown;
  readonly errors: readonly ResponseError[] | undefined;
  /** A mutation root field's resolver completed: its effect happened, whatever `data` says. */
  readonly mutationEffect: boolean;
  /** Realm for `WWW-Authenticate` challenges. */
  readonly realm: string;
  /** The status Apollo Server chose, if any (e.g. 405 for a mutation over GET). */
  readonly currentStatus?: number | undefined;
}

export interface ResponseStatus {
  /** The HTTP status to set; undefined keeps the one Apollo chose. */
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
}

const REQUEST_ERROR_CODES = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"]);
const CALLER_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN", "TOO_MANY_REQUESTS"]);
const FAULT_CODES = new Set(["SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR"]);

const codeOf = (error: ResponseError): unknown => error.extensions?.["code"];
const reasonOf = (error: ResponseError): string => String(error.extensions?.["reason"] ?? "");

/** Failures of the access token itself: the only ones that get a Bearer challenge (RFC 6750). */
function accessTokenChallenge(errors: readonly ResponseError[], realm: string): string | undefined {
  const quotedRealm = `realm="${realm.replace(/["\\]/g, "")}"`;
  const reasons = errors.map(reasonOf);
  if (reasons.some((reason) => reason.startsWith("TOKEN_"))) return `Bearer ${quotedRealm}, error="invalid_token"`;
  if (reasons.includes("MISSING_TOKEN")) return `Bearer ${quotedRealm}`;
  if (reasons.includes("MISSING_CLAIMS")) return `Bearer ${quotedRealm}, error="insufficient_scope"`;
  return undefined;
}

function retryAfterOf(errors: readonly ResponseError[]): string | undefined {
  const values = errors.map((error) => Number(error.extensions?.["retryAfter"])).filter((value) => Number.isFinite(value) && value > 0);
  return values.length > 0 ? String(Math.ceil(Math.max(...values))) : undefined;
}

/**
 * The project's status table (README, "Errors"), as a pure function of one response:
 *
 * | situation                                                        | graphql-response+json | json      |
 * |------------------------------------------------------------------|-----------------------|-----------|
 * | request not well-formed (parse, validation, limits)              | 400                   | 400       |
 * | data null, only UNAUTHENTICATED / FORBIDDEN                      | 401 / 403             | 200       |
 * | data null, throttled (TOO_MANY_REQUESTS)                         | 429                   | 200       |
 * | data null because of a server fault                              | 503 / 500             | 503 / 500 |
 * | data present, or a mutation root resolver completed              | 200                   | 200       |
 *
 * `Retry-After` accompanies throttling and retryable faults whatever the status;
 * `WWW-Authenticate` accompanies failures of the access token only (never a failed login or a
 * disabled account).
 */
export function responseStatus(input: ResponseStatusInput): ResponseStatus {
  const errors = input.errors ?? [];
  if (errors.length === 0) return { headers: {} };
  const headers: Record<string, string> = {};
  const retryAfter = retryAfterOf(errors);

  // The effect happened (or there is data to show): a 4xx or 5xx would invite a retry that repeats it.
  if (input.data != null || input.mutationEffect) {
    return { status: 200, headers };
  }
  // Only a request that failed as a whole because of its access token gets a challenge.
  const challenge = accessTokenChallenge(errors, input.realm);
  if (challenge) headers["www-authenticate"] = challenge;
  const codes = errors.map(codeOf);
  if (input.data === undefined && codes.every((code) => typeof code === "string" && REQUEST_ERROR_CODES.has(code))) {
    // Keep a more precise 4xx Apollo chose (405 for a mutation over GET); a refusal thrown by a
    // plugin while parsing (GraphQL Armor) would otherwise be answered 500.
    const current = input.currentStatus;
    return { status: current !== undefined && current >= 400 && current < 500 ? current : 400, headers };
  }
  if (codes.some((code) => typeof code === "string" && FAULT_CODES.has(code))) {
    const unavailable = codes.every((code) => code !== "INTERNAL_SERVER_ERROR");
    if (unavailable && retryAfter) headers["retry-after"] = retryAfter;
    return { status: unavailable ? 503 : 500, headers };
  }
  if (codes.every((code) => typeof code === "string" && CALLER_CODES.has(code))) {
    const throttled = codes.includes("TOO_MANY_REQUESTS");
    if (throttled) headers["retry-after"] = retryAfter ?? "1";
    if (input.mediaType === "application/json") return { status: 200, headers };
    return { status: throttled ? 429 : codes.includes("UNAUTHENTICATED") ? 401 : 403, headers };
  }
  return { headers };
}

import Negotiator from "negotiator";
import { type BearerChallenge, type ErrorCodeEntry, errorCodeEntry, errorReasonEntry } from "../domain/error-vocabulary.js";

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

const codeOf = (error: ResponseError): unknown => error.extensions?.["code"];
const entryOf = (error: ResponseError): ErrorCodeEntry | undefined => errorCodeEntry(codeOf(error));

/** When several errors earn a challenge, the token's own failure speaks first. */
const CHALLENGE_PRECEDENCE: readonly BearerChallenge[] = ["invalid_token", "bare", "insufficient_scope"];

/** Failures of the access token itself: the only ones that get a Bearer challenge (RFC 6750). */
function accessTokenChallenge(errors: readonly ResponseError[], realm: string): string | undefined {
  const earned = new Set(errors.map((error) => errorReasonEntry(error.extensions?.["reason"])?.challenge));
  const challenge = CHALLENGE_PRECEDENCE.find((candidate) => earned.has(candidate));
  if (challenge === undefined) return undefined;
  const quotedRealm = `realm="${realm.replace(/["\\]/g, "")}"`;
  return challenge === "bare" ? `Bearer ${quotedRealm}` : `Bearer ${quotedRealm}, error="${challenge}"`;
}

function retryAfterOf(errors: readonly ResponseError[]): string | undefined {
  const values = errors.map((error) => Number(error.extensions?.["retryAfter"])).filter((value) => Number.isFinite(value) && value > 0);
  return values.length > 0 ? String(Math.ceil(Math.max(...values))) : undefined;
}

/** Where several errors of one kind disagree: throttling over authentication over authorization; 500 over 503. */
const CALLER_PRECEDENCE: readonly number[] = [429, 401, 403];

/**
 * The project's status table (README, "Errors"), as a pure function of one response, read from
 * the error vocabulary (domain/error-vocabulary.ts: each code's kind and status, each reason's
 * challenge):
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
  const entries = errors.map(entryOf);
  if (input.data === undefined && entries.every((entry) => entry?.kind === "request")) {
    // Keep a more precise 4xx Apollo chose (405 for a mutation over GET); a refusal thrown by a
    // plugin while parsing (GraphQL Armor) would otherwise be answered 500.
    const current = input.currentStatus;
    return { status: current !== undefined && current >= 400 && current < 500 ? current : 400, headers };
  }
  const faults = entries.filter((entry) => entry?.kind === "fault");
  if (faults.length > 0) {
    const status = Math.min(...faults.map((entry) => entry!.status!));
    if (retryAfter && faults.every((entry) => entry!.retryAfter === "when-given")) headers["retry-after"] = retryAfter;
    return { status, headers };
  }
  if (entries.every((entry) => entry?.kind === "caller")) {
    const statuses = new Set(entries.map((entry) => entry!.status));
    if (entries.some((entry) => entry!.retryAfter === "always")) headers["retry-after"] = retryAfter ?? "1";
    if (input.mediaType === "application/json") return { status: 200, headers };
    return { status: CALLER_PRECEDENCE.find((status) => statuses.has(status))!, headers };
  }
  return { headers };
}

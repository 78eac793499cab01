import { describe, expect, it } from "vitest";
import { negotiateMediaType, responseStatus, type ResponseStatusInput } from "../../src/server/response-status.js";

const JSON_TYPE = "application/json" as const;
const GRAPHQL_TYPE = "application/graphql-response+json" as const;
const error = (code: string, reason?: string, extra: Record<string, unknown> = {}) => ({ extensions: { code, ...(reason ? { reason } : {}), ...extra } });
const decide = (input: Partial<ResponseStatusInput>) =>
  responseStatus({ mediaType: GRAPHQL_TYPE, data: null, errors: [], mutationEffect: false, realm: "claimgate", ...input });

describe("negotiateMediaType", () => {
  it("answers application/json without Accept, for */* and when both are equally acceptable", () => {
    expect(negotiateMediaType(undefined)).toBe(JSON_TYPE);
    expect(negotiateMediaType("*/*")).toBe(JSON_TYPE);
    expect(negotiateMediaType("application/json, application/graphql-response+json")).toBe(JSON_TYPE);
  });
  it("answers application/graphql-response+json when the client prefers it", () => {
    expect(negotiateMediaType("application/graphql-response+json")).toBe(GRAPHQL_TYPE);
    expect(negotiateMediaType("application/graphql-response+json, application/json;q=0.9")).toBe(GRAPHQL_TYPE);
  });
});

describe("responseStatus: the status table", () => {
  it("no errors: keeps Apollo's status", () => {
    expect(decide({ data: { a: 1 }, errors: undefined })).toEqual({ headers: {} });
  });

  it("request errors: 400 for both media types, a more precise 4xx from Apollo is kept", () => {
    for (const mediaType of [JSON_TYPE, GRAPHQL_TYPE]) {
      expect(decide({ mediaType, data: undefined, errors: [error("GRAPHQL_VALIDATION_FAILED")] }).status).toBe(400);
      expect(decide({ mediaType, data: undefined, errors: [error("GRAPHQL_PARSE_FAILED")], currentStatus: 500 }).status).toBe(400);
      expect(decide({ mediaType, data: undefined, errors: [error("BAD_REQUEST")], currentStatus: 405 }).status).toBe(405);
    }
  });

  it("authentication and authorization failures: 401 / 403 for graphql-response+json, 200 for json", () => {
    expect(decide({ errors: [error("UNAUTHENTICATED", "MISSING_TOKEN")] })).toEqual({ status: 401, headers: { "www-authenticate": 'Bearer realm="claimgate"' } });
    expect(decide({ errors: [error("UNAUTHENTICATED", "TOKEN_EXPIRED")] })).toEqual({
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="claimgate", error="invalid_token"' },
    });
    expect(decide({ errors: [error("FORBIDDEN", "MISSING_CLAIMS")] })).toEqual({
      status: 403,
      headers: { "www-authenticate": 'Bearer realm="claimgate", error="insufficient_scope"' },
    });
    expect(decide({ mediaType: JSON_TYPE, errors: [error("FORBIDDEN", "MISSING_CLAIMS")] })).toEqual({
      status: 200,
      headers: { "www-authenticate": 'Bearer realm="claimgate", error="insufficient_scope"' },
    });
    expect(decide({ errors: [error("UNAUTHENTICATED", "MISSING_TOKEN"), error("FORBIDDEN", "MISSING_CLAIMS")] }).status).toBe(401);
  });

  it("no challenge for a failed login, a disabled account or a refused refresh token", () => {
    expect(decide({ errors: [error("UNAUTHENTICATED", "INVALID_CREDENTIALS")] })).toEqual({ status: 401, headers: {} });
    expect(decide({ errors: [error("FORBIDDEN", "ACCOUNT_DISABLED")] })).toEqual({ status: 403, headers: {} });
    expect(decide({ errors: [error("UNAUTHENTICATED", "REFRESH_TOKEN_ROTATED")] })).toEqual({ status: 401, headers: {} });
    expect(decide({ mediaType: JSON_TYPE, errors: [error("UNAUTHENTICATED", "INVALID_CREDENTIALS")] })).toEqual({ status: 200, headers: {} });
  });

  it("throttling: 429 / 200 with Retry-After for both", () => {
    const throttled = [error("TOO_MANY_REQUESTS", "LOGIN_THROTTLED", { retryAfter: 30 })];
    expect(decide({ errors: throttled })).toEqual({ status: 429, headers: { "retry-after": "30" } });
    expect(decide({ mediaType: JSON_TYPE, errors: throttled })).toEqual({ status: 200, headers: { "retry-after": "30" } });
  });

  it("server faults: 503 with Retry-After, or 500, for both media types", () => {
    for (const mediaType of [JSON_TYPE, GRAPHQL_TYPE]) {
      expect(decide({ mediaType, errors: [error("SERVICE_UNAVAILABLE", "DATABASE_LOCKED", { retryAfter: 1 })] })).toEqual({
        status: 503,
        headers: { "retry-after": "1" },
      });
      expect(decide({ mediaType, errors: [error("INTERNAL_SERVER_ERROR")] })).toEqual({ status: 500, headers: {} });
      // A fault decides even next to an authorization error: retrying may help.
      expect(decide({ mediaType, errors: [error("FORBIDDEN", "MISSING_CLAIMS"), error("SERVICE_UNAVAILABLE", "DATABASE_READ_ONLY", { retryAfter: 30 })] }).status).toBe(503);
      expect(decide({ mediaType, errors: [error("SERVICE_UNAVAILABLE"), error("INTERNAL_SERVER_ERROR")] }).status).toBe(500);
    }
  });

  it("data present, or a completed mutation: 200 whatever the errors, and no challenge", () => {
    expect(decide({ data: { viewer: {} }, errors: [error("UNAUTHENTICATED", "MISSING_TOKEN")] })).toEqual({ status: 200, headers: {} });
    expect(decide({ data: null, mutationEffect: true, errors: [error("FORBIDDEN", "MISSING_CLAIMS")] })).toEqual({ status: 200, headers: {} });
    // No Retry-After either: retrying would repeat the effect.
    expect(decide({ data: null, mutationEffect: true, errors: [error("SERVICE_UNAVAILABLE", "DATABASE_LOCKED", { retryAfter: 1 })] })).toEqual({
      status: 200,
      headers: {},
    });
  });

  it("other errors with data null (a domain error such as BAD_USER_INPUT) keep Apollo's status", () => {
    expect(decide({ errors: [error("BAD_USER_INPUT", "EMAIL_TAKEN")] })).toEqual({ headers: {} });
  });
});

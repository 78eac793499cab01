// Conformance with the GraphQL-over-HTTP specification, checked by the audits that the
// graphql-http package publishes for servers.
import { gzipSync } from "node:zlib";
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

// A non-browser client states that it is not a simple (CSRF-able) request, as Apollo's CSRF
// prevention requires of GET requests; nothing else is changed.
const fetchLikeAClient: typeof fetch = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), "apollo-require-preflight": "true" } });

describe("GraphQL over HTTP", () => {
  it("passes every MUST audit", async () => {
    const audits = serverAudits({ url: () => t.url, fetchFn: fetchLikeAClient });
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status === "error") failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it("serves queries over GET and answers application/graphql-response+json when asked", async () => {
    const response = await fetchLikeAClient(`${t.url}?query=${encodeURIComponent("{ viewer { authenticated } }")}`, {
      headers: { accept: "application/graphql-response+json" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { viewer: { authenticated: false } } });
  });

  it("refuses mutations over GET", async () => {
    const response = await fetchLikeAClient(`${t.url}?query=${encodeURIComponent("mutation { logoutAll }")}`);
    expect(response.status).toBe(405);
  });
});

describe("request bodies", () => {
  const QUERY = JSON.stringify({ query: "{ viewer { authenticated } }" });
  const ANSWER = { data: { viewer: { authenticated: false } } };
  const send = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(t.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const errorOf = async (response: Response) => ((await response.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors[0];

  it("reads UTF-8 JSON with or without a charset parameter, and drops a leading byte-order mark", async () => {
    for (const contentType of ["application/json", "application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"']) {
      const response = await send(QUERY, { "content-type": contentType });
      expect([contentType, response.status, await response.json()]).toEqual([contentType, 200, ANSWER]);
    }
    expect(await (await send(`\uFEFF${QUERY}`)).json()).toEqual(ANSWER);
  });

  it("reads a body that arrives in many chunks, keeping multi-byte characters whole", async () => {
    // ~75 KB of UTF-8 sent 1,001 bytes at a time, so characters straddle chunks; the variable's
    // coercion error quotes it back, proving every character arrived whole.
    const text = "ü✓".repeat(15_000);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(JSON.stringify({ query: "query ($t: Boolean!) { viewer @include(if: $t) { authenticated } }", variables: { t: text } }));
        for (let at = 0; at < bytes.length; at += 1_001) controller.enqueue(bytes.subarray(at, at + 1_001));
        controller.close();
      },
    });
    const response = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    const error = await errorOf(response);
    expect([response.status, error!.extensions.code]).toEqual([400, "BAD_USER_INPUT"]);
    expect(error!.message).toContain(JSON.stringify(text));
  });

  it("refuses a body over 100 KB that announces no length (chunked) with 413", async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 30; i++) controller.enqueue(new TextEncoder().encode(`{"query":"${"x".repeat(5_000)}`));
        controller.close();
      },
    });
    const response = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
    expect((await errorOf(response))!.message).toBe("The request body is larger than 100 KB.");
  });

  it("answers 400 for JSON that is not an object or array, as for any invalid JSON", async () => {
    for (const body of ['"a string"', "42", "null", '{"query": "{ viewer { authenticated } }"']) {
      const response = await send(body);
      expect([body, response.status, await errorOf(response)]).toEqual([body, 400, { message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }]);
    }
  });

  it("reads gzip-compressed bodies", async () => {
    const response = await send(gzipSync(QUERY), { "content-encoding": "gzip" });
    expect([response.status, await response.json()]).toEqual([200, ANSWER]);
  });

  it("refuses a JSON body in another charset with 415 and a GraphQL-shaped error", async () => {
    const response = await send(QUERY, { "content-type": "application/json; charset=latin1" });
    expect(response.status).toBe(415);
    expect(await errorOf(response)).toEqual({ message: "The request could not be read.", extensions: { code: "BAD_REQUEST" } });
  });
});

describe("the endpoint's URL forms", () => {
  // POST /graphql is served without Express's router (direct-routes.ts); other forms take the router.
  it("answers a POST alike with or without a query string or trailing slash", async () => {
    for (const suffix of ["", "?", "?client=x", "/"]) {
      const response = await fetch(`${t.url}${suffix}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ viewer { authenticated } }" }) });
      expect([suffix, response.status, await response.json()]).toEqual([suffix, 200, { data: { viewer: { authenticated: false } } }]);
    }
  });

  it("answers body errors on the direct route in the same GraphQL shape as on the router", async () => {
    for (const suffix of ["", "?x=1"]) {
      const response = await fetch(`${t.url}${suffix}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
      expect([suffix, response.status, await response.json()]).toEqual([suffix, 400, { errors: [{ message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }] }]);
    }
  });
});

// Conformance with the GraphQL-over-HTTP specification, checked by the audits that the
// graphql-http package publishes for servers.
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

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heapUsedAfterGc as heapUsed } from "../support/heap-used.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Documents padded with comments (which the parser's token limit does not count) keep every
 * comment token: a 64 KiB text holds about 2.8 MB once parsed. Neither the lean path's prepared
 * documents nor Apollo's document store may keep many of them (prepared-documents.ts,
 * bounded-document-store.ts); before, 1000 entries (lean) or 30 MiB of JSON (Apollo, where such a
 * document counts ~100 bytes) let an anonymous client make the process hold gigabytes.
 */
describe("memory held for distinct documents padded with comments", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.stop());

  it.each([
    // Short enough for the lean path's prepared documents.
    { path: "lean", comments: 32_000, served: 40 },
    // Longer than the lean path prepares (64 Ki characters): Apollo parses and stores it.
    { path: "Apollo", comments: 34_000, served: 0 },
  ])("keeps a bounded amount for the $path path's documents", async ({ path, comments, served }) => {
    const padding = "#\n".repeat(comments);
    const servedBefore = t.server.leanRequestCount();
    const before = heapUsed();
    for (let i = 0; i < 40; i++) {
      const response = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", "apollo-require-preflight": "true" },
        body: JSON.stringify({ query: `{ ${path}${i}: __typename }\n${padding}` }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
    // 40 documents of ~2.8 MB each would be ~110 MB; the bounds keep ~100 000 tokens (~50 MB at most).
    expect((heapUsed() - before) / 1e6).toBeLessThan(60);
    expect(t.server.leanRequestCount() - servedBefore).toBe(served);
  }, 60_000);
});

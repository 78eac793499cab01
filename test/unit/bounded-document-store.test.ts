import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { BoundedDocumentStore } from "../../src/server/bounded-document-store.js";

// A document padded with comments: the parser's token limit does not count them, yet the document keeps each.
const padded = (i: number, comments: number) => parse(`{ a${i}: __typename }\n${"#\n".repeat(comments)}`, { maxTokens: 50 });

describe("BoundedDocumentStore", () => {
  it("keeps at most maxTotalTokens tokens, comments included, the least recently used leaving first", async () => {
    const store = new BoundedDocumentStore({ maxTotalTokens: 10_000 });
    // 1000 tokens each: SOF, five of the operation, 993 comments, EOF.
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, padded(i, 993));
    expect(store.heldTokens).toBeLessThanOrEqual(10_000);
    expect(store.size).toBe(10);
    expect(await store.get("k0")).toBeUndefined();
    const recent = await store.get("k90");
    expect(recent).toBeDefined();
    await store.set("k100", padded(100, 993));
    expect(await store.get("k90")).toBe(recent);
    expect(await store.get("k91")).toBeUndefined();
  });

  it("uses a document larger than the whole budget without keeping it; replacing and deleting give their tokens back", async () => {
    const store = new BoundedDocumentStore({ maxTotalTokens: 100 });
    await store.set("big", padded(0, 200));
    expect(store.size).toBe(0);
    await store.set("small", parse("{ a }"));
    await store.set("small", parse("{ a }"));
    expect(store.heldTokens).toBe(5);
    expect(await store.delete("small")).toBe(true);
    expect(store.heldTokens).toBe(0);
  });
});

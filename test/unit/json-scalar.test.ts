import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../src/graphql/scalars.js";

describe("nestsDeeperThan (the JSON scalar's depth limit)", () => {
  it("counts objects and arrays, not scalars, and walks thousands of levels without recursion", () => {
    expect(nestsDeeperThan("text", 0)).toBe(false);
    expect(nestsDeeperThan({ a: [1, 2] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [1, [2]] }, 2)).toBe(true);
    let deep: unknown = "bottom";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ role: "admin", permissions: ["posts:read"], teams: { a: { b: 1 } } }, MAX_JSON_DEPTH)).toBe(false);
  });
});

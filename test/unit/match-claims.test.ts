import { describe, expect, it } from "vitest";
import { parseClaimRequirement } from "../../src/authz/claim-requirement.js";
import { compilePredicate, describeRequirement, isTruthyClaim, satisfiesRequirement } from "../../src/authz/match-claims.js";

const holds = (source: string, claims: Record<string, unknown>, args: Record<string, unknown> = {}) =>
  satisfiesRequirement(parseClaimRequirement(source), claims, args);

describe("isTruthyClaim", () => {
  it.each([
    [true, true],
    ["x", true],
    [1, true],
    [-1, true],
    [["a"], true],
    [{ a: 1 }, true],
    [false, false],
    ["", false],
    [0, false],
    [Number.NaN, false],
    [[], false],
    [{}, false],
    [null, false],
    [undefined, false],
  ])("%j is %s", (value, expected) => {
    expect(isTruthyClaim(value)).toBe(expected);
  });
});

describe("satisfiesRequirement", () => {
  it("name: the claim is present and truthy", () => {
    expect(holds("email_verified", { email_verified: true })).toBe(true);
    expect(holds("email_verified", { email_verified: false })).toBe(false);
    expect(holds("email_verified", {})).toBe(false);
  });

  it("name=value: compares strings exactly", () => {
    expect(holds("role=admin", { role: "admin" })).toBe(true);
    expect(holds("role=admin", { role: "Admin" })).toBe(false);
    expect(holds("role=admin", { role: "admin " })).toBe(false);
    expect(holds("role=admin", {})).toBe(false);
    expect(holds("role=admin", { role: null })).toBe(false);
  });

  it("name=value: compares numbers and booleans as text", () => {
    expect(holds("level=3", { level: 3 })).toBe(true);
    expect(holds("level=3", { level: 3.5 })).toBe(false);
    expect(holds("beta=true", { beta: true })).toBe(true);
    expect(holds("beta=true", { beta: "true" })).toBe(true);
  });

  it("name=value: an array claim must contain the value", () => {
    expect(holds("permissions=posts:read", { permissions: ["posts:read", "posts:write"] })).toBe(true);
    expect(holds("permissions=posts:delete", { permissions: ["posts:read"] })).toBe(false);
    expect(holds("permissions=posts:read", { permissions: [] })).toBe(false);
    expect(holds("teams=7", { teams: [7, 8] })).toBe(true);
  });

  it("name=value: objects never match, even when they stringify to the value", () => {
    expect(holds("role=[object Object]", { role: {} })).toBe(false);
    expect(holds("role=admin", { role: { toString: () => "admin" } })).toBe(false);
    expect(holds("role=admin", { role: [["admin"]] })).toBe(false);
  });

  it("name=a|b: any one of the values", () => {
    expect(holds("role=admin|editor", { role: "editor" })).toBe(true);
    expect(holds("role=admin|editor", { role: "viewer" })).toBe(false);
    expect(holds("role=admin|editor", { role: ["viewer", "admin"] })).toBe(true);
  });

  it("does not accept look-alike values", () => {
    expect(holds("role=admin", { role: "\u0430dmin" })).toBe(false); // Cyrillic а
    expect(holds("role=admin", { role: "admin\u200b" })).toBe(false); // zero-width space
    expect(holds("role=admin", { role: "ADMIN" })).toBe(false);
  });

  it("does not read inherited properties as claims", () => {
    expect(holds("constructor", {})).toBe(false);
    expect(holds("toString", {})).toBe(false);
  });

  it("{arg}: fills placeholders from the field's arguments", () => {
    expect(holds("team={teamId}", { team: "t1" }, { teamId: "t1" })).toBe(true);
    expect(holds("team={teamId}", { team: "t1" }, { teamId: "t2" })).toBe(false);
    expect(holds("permissions=docs:{docId}:read", { permissions: ["docs:42:read"] }, { docId: 42 })).toBe(true);
    expect(holds("permissions=docs:{docId}:read", { permissions: ["docs:42:read"] }, { docId: "43" })).toBe(false);
  });

  it("{arg}: a missing, null or non-scalar argument fails the requirement", () => {
    expect(holds("team={teamId}", { team: "t1" }, {})).toBe(false);
    expect(holds("team={teamId}", { team: "t1" }, { teamId: null })).toBe(false);
    expect(holds("team={teamId}", { team: "t1" }, { teamId: { id: "t1" } })).toBe(false);
    // A literal "{teamId}" in the claim cannot satisfy an unfilled placeholder.
    expect(holds("team={teamId}", { team: "{teamId}" }, {})).toBe(false);
  });

  it("{arg}: another alternative can still hold when an argument is missing", () => {
    expect(holds("team={teamId}|all", { team: "all" }, {})).toBe(true);
  });
});

describe("describeRequirement", () => {
  it("fills placeholders where it can and keeps the rest", () => {
    const requirement = parseClaimRequirement("permissions=docs:{docId}:read|docs:*:read");
    expect(describeRequirement(requirement, { docId: 7 })).toBe("permissions=docs:7:read|docs:*:read");
    expect(describeRequirement(requirement, {})).toBe("permissions=docs:{docId}:read|docs:*:read");
  });
});

describe("compilePredicate", () => {
  const requirements = ["role", "role=admin", "role=admin|editor", "level=3", "beta=true", "team={teamId}", "team={teamId}|all", "permissions=posts:read"];
  const claimSets: Record<string, unknown>[] = [
    {},
    { role: "admin" },
    { role: "Admin" },
    { role: ["editor", "x"] },
    { role: "\u0430dmin" },
    { role: { admin: true } },
    { role: null },
    { level: 3 },
    { level: "3" },
    { beta: true },
    { team: "red" },
    { team: ["all"] },
    { permissions: ["posts:read"] },
    { permissions: "posts:read" },
  ];
  const argSets = [{}, { teamId: "red" }, { teamId: null }];

  it("answers exactly as satisfiesRequirement for every form", () => {
    for (const source of requirements) {
      const requirement = parseClaimRequirement(source);
      const predicate = compilePredicate(requirement);
      for (const claims of claimSets) {
        for (const args of argSets) {
          expect(predicate(claims, args), `${source} with ${JSON.stringify(claims)} ${JSON.stringify(args)}`).toBe(
            satisfiesRequirement(requirement, claims, args),
          );
        }
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { compileRequirements, RequirementPlaceholderError } from "../../src/authz/requirement-set.js";

describe("compileRequirements", () => {
  it("requires every requirement (AND) and lists each unmet one", () => {
    const set = compileRequirements({ sources: ["role=admin", "permissions=posts:write", "mfa"], argumentNames: [] });
    expect(set.unmet({ role: "admin", permissions: ["posts:write"], mfa: true }, {})).toBeNull();
    expect(set.unmet({ role: "admin", permissions: ["posts:read"] }, {})).toEqual(["permissions=posts:write", "mfa"]);
  });

  it("an empty list is met by any claims (any valid token)", () => {
    expect(compileRequirements({ sources: [], argumentNames: [] }).unmet({}, {})).toBeNull();
  });

  it("reports unmet requirements with placeholders filled in", () => {
    const set = compileRequirements({ sources: ["team={teamId}"], argumentNames: ["teamId"] });
    expect(set.unmet({ team: "a" }, { teamId: "b" })).toEqual(["team=b"]);
  });

  it("refuses a placeholder that names no argument of the field", () => {
    expect(() => compileRequirements({ sources: ["team={teamId}"], argumentNames: ["id"] })).toThrow(RequirementPlaceholderError);
    expect(() => compileRequirements({ sources: ["team={teamId}"], argumentNames: ["id"] })).toThrow(
      'the field has no argument "teamId"',
    );
  });

  it("parses a repeated requirement once", () => {
    const parsed = new Map();
    compileRequirements({ sources: ["role=admin"], argumentNames: [], parsed });
    const first = parsed.get("role=admin");
    compileRequirements({ sources: ["role=admin"], argumentNames: [], parsed });
    expect(parsed.get("role=admin")).toBe(first);
  });
});

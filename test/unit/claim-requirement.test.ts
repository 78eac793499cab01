import { describe, expect, it } from "vitest";
import { parseClaimRequirement, RequirementSyntaxError } from "../../src/authz/claim-requirement.js";

describe("parseClaimRequirement", () => {
  it("reads a bare name as 'truthy'", () => {
    expect(parseClaimRequirement("email_verified")).toEqual({ kind: "truthy", claim: "email_verified", source: "email_verified" });
  });

  it("reads name=value", () => {
    const requirement = parseClaimRequirement("role=admin");
    expect(requirement).toMatchObject({ kind: "oneOf", claim: "role", arguments: [] });
    expect(requirement.kind === "oneOf" && requirement.values.map((value) => value.literal)).toEqual(["admin"]);
  });

  it("reads alternatives separated by |", () => {
    const requirement = parseClaimRequirement("role=admin|editor|owner");
    expect(requirement.kind === "oneOf" && requirement.values.map((value) => value.literal)).toEqual(["admin", "editor", "owner"]);
  });

  it("keeps ':' and '/' in names and values (URIs, scopes)", () => {
    expect(parseClaimRequirement("https://example.com/roles=posts:read")).toMatchObject({ claim: "https://example.com/roles" });
  });

  it("splits a value into text and placeholders", () => {
    const requirement = parseClaimRequirement("permissions=docs:{docId}:{action}");
    expect(requirement).toMatchObject({ kind: "oneOf", arguments: ["docId", "action"] });
    expect(requirement.kind === "oneOf" && requirement.values[0]).toEqual({
      literal: null,
      segments: [{ text: "docs:" }, { argument: "docId" }, { text: ":" }, { argument: "action" }],
    });
  });

  it.each([
    ["", "the claim name is empty"],
    ["=admin", "the claim name is empty"],
    ["role=", "a value is empty"],
    ["role=admin|", "a value is empty"],
    ["role=|admin", "a value is empty"],
    ["my role=admin", "cannot contain spaces"],
    ["{team}=x", "cannot contain"],
    ["team={teamId", "'{' without a matching '}'"],
    ["team=teamId}", "'}' without a matching '{'"],
    ["team={}", "is not a placeholder"],
    ["team={team-id}", "is not a placeholder"],
    ["team={{teamId}}", "is not a placeholder"],
  ])("refuses %j: %s", (source, reason) => {
    expect(() => parseClaimRequirement(source)).toThrow(RequirementSyntaxError);
    expect(() => parseClaimRequirement(source)).toThrow(reason);
  });

  it("names the offending requirement in its error", () => {
    try {
      parseClaimRequirement("role=");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "ERR_REQUIREMENT_SYNTAX", source: "role=" });
      expect((error as Error).message).toContain('"role="');
    }
  });
});

import { describe, expect, it } from "vitest";
import { normaliseEmail, parseEmail } from "../../src/domain/email.js";

describe("parseEmail", () => {
  it("trims, NFKC-normalises and lower-cases", () => {
    expect(parseEmail("  Alice@Example.COM ")).toBe("alice@example.com");
    expect(parseEmail("ａｌｉｃｅ@example.com")).toBe("alice@example.com");
    expect(normaliseEmail("Ｂｏｂ@Example.com")).toBe("bob@example.com");
  });

  it.each([
    ["a zero-width space", "al\u200bice@example.com"],
    ["a zero-width joiner", "al\u200dice@example.com"],
    ["a right-to-left override", "alice@exa\u202emple.com"],
    ["a bidi isolate", "alice\u2066@example.com"],
    ["a control character", "alice\u0000@example.com"],
    ["a soft hyphen", "al\u00adice@example.com"],
  ])("refuses %s", (_what, email) => {
    expect(() => parseEmail(email)).toThrow(expect.objectContaining({ reason: "INVALID_EMAIL", message: expect.stringMatching(/invisible or control/) }));
  });

  it.each(["x@deleted.invalid", "x@host.localhost", "x@mail.test", "x@site.example", "deleted:123", "no-at-sign.example.com"])("refuses %s", (email) => {
    expect(() => parseEmail(email)).toThrow(expect.objectContaining({ reason: "INVALID_EMAIL" }));
  });
});

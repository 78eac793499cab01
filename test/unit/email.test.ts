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

describe("parseEmail against look-alikes found in review", () => {
  it.each([
    ["a combining grapheme joiner", "bob\u034f@example.com"],
    ["a variation selector", "bob\ufe0f@example.com"],
    ["a supplementary variation selector", "bob\u{e0100}@example.com"],
    ["a Hangul filler", "bob\u1160@example.com"],
    ["a half-width Hangul filler", "bob\uffa0@example.com"],
    ["a blank Braille pattern", "bob\u2800@example.com"],
    ["a Khmer inherent vowel", "bob\u17b4@example.com"],
    ["a Mongolian variation selector", "bob\u180b@example.com"],
    ["a Cyrillic о among Latin letters", "b\u043eb@example.com"],
    ["a trailing dot", "bob@example.com."],
    ["a trailing dot hiding a reserved domain", "x@foo.invalid."],
    ["two dots in a row", "bob@example..com"],
  ])("refuses %s", (_what, email) => {
    expect(() => parseEmail(email)).toThrow(expect.objectContaining({ reason: "INVALID_EMAIL" }));
  });

  it("accepts an address in one non-Latin script", () => {
    expect(parseEmail("иван@пример.рф")).toBe("иван@пример.рф");
  });
});

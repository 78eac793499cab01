import { describe, expect, it } from "vitest";
import { matchOrigin, parseCorsOrigins } from "../../src/config/cors-origins.js";
import { parseConfig } from "../../src/config/parse-config.js";

const parse = (text: string) => {
  const problems: string[] = [];
  return { patterns: parseCorsOrigins(text, problems), problems };
};

describe("CORS_ORIGINS", () => {
  it("matches exact origins and any port of a wildcard entry, nothing else", () => {
    const { patterns, problems } = parse("https://app.example.com, http://localhost:*");
    expect(problems).toEqual([]);
    expect(matchOrigin(patterns, "https://app.example.com")).toBe("listed");
    expect(matchOrigin(patterns, "http://localhost:5173")).toBe("listed");
    expect(matchOrigin(patterns, "http://localhost:5173.evil.com")).toBe("refused");
    expect(matchOrigin(patterns, "http://localhost.evil.com:80")).toBe("refused");
    expect(matchOrigin(patterns, "https://app.example.com.evil.com")).toBe("refused");
    expect(matchOrigin(patterns, "http://app.example.com")).toBe("refused");
    expect(matchOrigin(patterns, "null")).toBe("refused");
    expect(matchOrigin(patterns, undefined)).toBe("refused");
  });

  it("* allows any origin, but only without credentials", () => {
    const { patterns } = parse("https://app.example.com *");
    expect(matchOrigin(patterns, "https://app.example.com")).toBe("listed");
    expect(matchOrigin(patterns, "https://elsewhere.example")).toBe("any");
  });

  it("names every entry it cannot use", () => {
    const { problems } = parse("app.example.com, https://a.example/path, https://*.example.com, ftp://x");
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('"app.example.com"');
  });

  it("defaults: this machine and Apollo's Sandbox in development, nothing in production", () => {
    const development = parseConfig({ NODE_ENV: "development" });
    expect(matchOrigin(development.corsOrigins, "http://127.0.0.1:5173")).toBe("listed");
    expect(matchOrigin(development.corsOrigins, "https://studio.apollographql.com")).toBe("listed");
    expect(matchOrigin(development.corsOrigins, "https://example.com")).toBe("refused");
    const production = parseConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(20) + "Y7#kq2LmZp9vRt4WsXb8Nc", REQUIRE_EMAIL_VERIFICATION: "false" });
    expect(production.corsOrigins).toEqual([]);
  });
});

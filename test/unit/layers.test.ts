// Layers one way: server → graphql → authz → auth → domain → db, with config handed in at the top.
// Scans every import in src/ and names each one that runs back up.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/**
 * Higher imports lower, never the reverse. `mail` is the mailer port `auth` sends through;
 * `services` wires auth, domain, db and mail together for the two processes above: the server
 * and the CLI.
 */
const RANK: Readonly<Record<string, number>> = { db: 1, domain: 2, mail: 2, auth: 3, services: 3.5, authz: 4, graphql: 5, server: 6 };
/** Settings and paths: anyone may import them; they import no layer. */
const FOUNDATION = new Set(["config", "project-root.ts"]);
/** Entry points over everything; no layer imports them. */
const ENTRY = new Set(["cli", "main.ts", "index.ts"]);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;
  return [...source.matchAll(pattern)].map((match) => match[1]!);
}

/** The top-level folder (or file) of src/ a path belongs to; specifiers name .js for .ts files. */
const areaOf = (file: string): string => relative(SRC, file).split(sep)[0]!.replace(/\.js$/, ".ts");

function violation(fromArea: string, toArea: string): string | null {
  if (fromArea === toArea) return null;
  if (ENTRY.has(toArea)) return `${toArea} is an entry point; nothing under src/ imports it`;
  if (ENTRY.has(fromArea)) return null;
  if (FOUNDATION.has(toArea)) return null;
  if (FOUNDATION.has(fromArea)) return `${fromArea} is handed in at the top and imports no layer`;
  const from = RANK[fromArea];
  const to = RANK[toArea];
  if (from === undefined || to === undefined) return `${fromArea} or ${toArea} has no place in the layers (add it to RANK)`;
  return to > from ? `${fromArea} sits below ${toArea}` : null;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const specifier of importsOf(readFileSync(file, "utf8"))) {
      const target = resolve(dirname(file), specifier);
      const why = violation(areaOf(file), areaOf(target));
      if (why) found.push(`${relative(SRC, file)} imports ${relative(SRC, target)}: ${why}`);
    }
  }
  return found;
}

describe("import layers", () => {
  it("no import in src/ runs back up the layers", () => {
    expect(violations()).toEqual([]);
  });

  it("the rule itself: downward and sideways pass, upward and into entry points fail", () => {
    expect(violation("server", "graphql")).toBeNull();
    expect(violation("authz", "auth")).toBeNull();
    expect(violation("auth", "config")).toBeNull();
    expect(violation("graphql", "project-root.ts")).toBeNull();
    expect(violation("cli", "server")).toBeNull();
    expect(violation("server", "services")).toBeNull();
    expect(violation("services", "graphql")).toBe("services sits below graphql");
    expect(violation("auth", "authz")).toBe("auth sits below authz");
    expect(violation("db", "domain")).toBe("db sits below domain");
    expect(violation("graphql", "server")).toBe("graphql sits below server");
    expect(violation("config", "auth")).toBe("config is handed in at the top and imports no layer");
    expect(violation("server", "cli")).toBe("cli is an entry point; nothing under src/ imports it");
  });

  it("finds every kind of import", () => {
    const source = [
      `import type { A } from "../authz/a.js";`,
      `import { b } from "./b.js";`,
      `export { c } from "../c.js";`,
      `import "../side-effect.js";`,
      `const d = await import("../d.js");`,
      `import x from "express";`,
    ].join("\n");
    expect(importsOf(source)).toEqual(["../authz/a.js", "./b.js", "../c.js", "../side-effect.js", "../d.js"]);
  });
});

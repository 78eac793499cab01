// One error vocabulary: every code and reason src/ can put in `extensions` is in the table, and
// only failures of the bearer token itself earn a WWW-Authenticate challenge.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TOKEN_VERIFICATION_CODES } from "../../src/auth/token-verification-error.js";
import { databaseFault, type DatabaseFaultKind } from "../../src/db/database-fault.js";
import { ERROR_CODES, ERROR_REASONS, type ErrorReason } from "../../src/domain/error-vocabulary.js";

const SRC = resolve(import.meta.dirname, "../../src");
const sources = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sources(path);
    return entry.name.endsWith(".ts") ? [readFileSync(path, "utf8")] : [];
  });

/** [code, reason] of every error src/ constructs with literal strings; code is null where a helper implies it. */
function thrownReasons(): [string | null, string][] {
  const found: [string | null, string][] = [];
  for (const source of sources(SRC)) {
    for (const match of source.matchAll(/new DomainError\(\s*"([A-Z_]+)",\s*"([A-Z_]+)"/g)) found.push([match[1]!, match[2]!]);
    for (const match of source.matchAll(/\b(?:badInput|refreshError)\(\s*"([A-Z_]+)"/g)) found.push([null, match[1]!]);
    for (const match of source.matchAll(/code: "([A-Z_]+)"(?: satisfies \w+)?, reason: "([A-Z_]+)"/g)) found.push([match[1]!, match[2]!]);
  }
  return found;
}

describe("the error vocabulary", () => {
  it("holds every reason src/ throws, under the code it is thrown with", () => {
    const found = thrownReasons();
    expect(found.length).toBeGreaterThan(30);
    for (const [code, reason] of found) {
      expect(Object.keys(ERROR_REASONS), `reason ${reason}`).toContain(reason);
      if (code !== null) expect(ERROR_REASONS[reason as ErrorReason].code, `reason ${reason}`).toBe(code);
    }
  });

  it("holds every code src/ puts in extensions", () => {
    const codes = new Set(sources(SRC).flatMap((source) => [...source.matchAll(/extensions: \{ code: "([A-Z_]+)"/g)].map((match) => match[1]!)));
    // The 404 of paths outside GraphQL is an HTTP answer, not a GraphQL error, but it uses a code of the table too.
    for (const code of codes) expect(Object.keys(ERROR_CODES), `code ${code}`).toContain(code);
  });

  it("holds the reasons of database faults and of refused access tokens", () => {
    const kinds: Record<DatabaseFaultKind, true> = { locked: true, read_only: true, disk_full: true, io: true, unavailable: true, corrupt: true };
    for (const kind of Object.keys(kinds) as DatabaseFaultKind[]) {
      const { reason } = databaseFault(kind, "SQLITE_TEST");
      expect(ERROR_REASONS[reason as ErrorReason]?.code, reason).toBe("SERVICE_UNAVAILABLE");
    }
    for (const reason of new Set(Object.values(TOKEN_VERIFICATION_CODES))) expect(ERROR_REASONS[reason].code).toBe("UNAUTHENTICATED");
  });

  it("only the bearer token's own failures earn a challenge: no login, refresh or disabled account", () => {
    const challenged = Object.entries(ERROR_REASONS)
      .filter(([, entry]) => "challenge" in entry)
      .map(([reason, entry]) => [reason, (entry as { challenge: string }).challenge]);
    expect(Object.fromEntries(challenged)).toEqual({
      MISSING_TOKEN: "bare",
      TOKEN_EXPIRED: "invalid_token",
      TOKEN_INVALID: "invalid_token",
      MISSING_CLAIMS: "insufficient_scope",
    });
  });

  it("gives every code of a kind that decides the status a status", () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      if (entry.kind === "outcome") expect(entry.status, code).toBeNull();
      else expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.clientFacing, code).toBe(entry.kind !== "fault");
    }
  });
});

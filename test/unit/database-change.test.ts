import { describe, expect, it } from "vitest";
import { parseDatabaseChange } from "../../src/db/database-change.js";

describe("parseDatabaseChange", () => {
  it("reads each kind the triggers send", () => {
    expect(parseDatabaseChange("s:0b6c1d9e-6f2a-4c1e-9d7b-2f1f1f1f1f1f")).toEqual({ kind: "session_ended", sessionId: "0b6c1d9e-6f2a-4c1e-9d7b-2f1f1f1f1f1f" });
    expect(parseDatabaseChange("c:u-1:7")).toEqual({ kind: "claims_changed", userId: "u-1", version: 7 });
    expect(parseDatabaseChange("p:post-9")).toEqual({ kind: "post_published", postId: "post-9" });
    expect(parseDatabaseChange("r")).toEqual({ kind: "roles_changed" });
  });

  it("takes the version after the last colon, so user ids may contain colons", () => {
    expect(parseDatabaseChange("c:deleted:abc:12")).toEqual({ kind: "claims_changed", userId: "deleted:abc", version: 12 });
  });

  it("ignores what it does not understand instead of guessing", () => {
    for (const payload of ["", "s:", "p:", "c:", "c:u-1", "c:u-1:", "c:u-1:x", "c::3", "c:u:1.5", "x:1", "rr", "S:abc"]) {
      expect(parseDatabaseChange(payload), payload).toBeUndefined();
    }
  });
});

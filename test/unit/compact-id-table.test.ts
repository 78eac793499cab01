import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CompactIdTable } from "../../src/auth/compact-id-table.js";

/** A seeded generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe("CompactIdTable", () => {
  it("keeps UUIDs exactly: ids differing in one digit, or only in case, are different entries", () => {
    const table = new CompactIdTable({ values: true });
    const id = "0123abcd-4567-89ef-0123-456789abcdef";
    table.set(id, 100, 7);
    expect(table.has(id)).toBe(true);
    expect(table.get(id)).toBe(7);
    expect(table.has("0123abcd-4567-89ef-0123-456789abcdee")).toBe(false);
    expect(table.has("1123abcd-4567-89ef-0123-456789abcdef")).toBe(false);
    expect(table.has(id.toUpperCase())).toBe(false);
    table.set(id.toUpperCase(), 100, 8);
    expect(table.get(id)).toBe(7);
    expect(table.get(id.toUpperCase())).toBe(8);
    expect(table.size).toBe(2);
  });

  it("holds ids that are not UUIDs too (hand-made session ids), and expires them alike", () => {
    const table = new CompactIdTable();
    for (const id of ["session-1", "", "0123abcd-4567-89ef-0123-456789abcdeg", "0123abcd44567-89ef-0123-456789abcdef"]) {
      expect(table.set(id, 10)).toBe(true);
      expect(table.has(id)).toBe(true);
    }
    expect(table.set("session-1", 20)).toBe(false);
    expect(table.evictExpired(15)).toBe(3);
    expect([...table.entries()]).toEqual([["session-1", 20, 0]]);
    expect(table.delete("session-1")).toBe(true);
    expect(table.size).toBe(0);
  });

  it("agrees with a Map through random adds, replacements, deletions, evictions, growth and shrinking", () => {
    const next = random(14);
    // A small table: long probe runs, many shared home slots and several resizes both ways.
    const table = new CompactIdTable({ initialCapacity: 16, values: true });
    const model = new Map<string, [number, number]>();
    const pool = Array.from({ length: 3000 }, () => uuidFrom(next));
    let now = 1000;
    let maxCapacity = 0;
    for (let step = 0; step < 40_000; step++) {
      const growing = step < 20_000;
      const id = pool[Math.floor(next() * (growing ? pool.length : 200))]!;
      const action = next();
      if (action < 0.55) {
        const expiry = now + Math.floor(next() * (growing ? 5000 : 50));
        const value = Math.floor(next() * 1000);
        expect(table.set(id, expiry, value)).toBe(!model.has(id));
        model.set(id, [expiry, value]);
      } else if (action < 0.75) {
        expect(table.delete(id)).toBe(model.delete(id));
      } else if (action < (growing ? 0.752 : 0.78)) {
        now += Math.floor(next() * 20);
        let expected = 0;
        for (const [key, [expiry]] of model) if (expiry < now) (model.delete(key), expected++);
        expect(table.evictExpired(now)).toBe(expected);
      } else {
        expect(table.get(id)).toBe(model.get(id)?.[1]);
        expect(table.expiryOf(id)).toBe(model.get(id)?.[0]);
      }
      expect(table.size).toBe(model.size);
      maxCapacity = Math.max(maxCapacity, table.capacity);
    }
    for (const id of pool) expect(table.has(id)).toBe(model.has(id));
    expect(new Map([...table.entries()].map(([id, expiry, value]) => [id, [expiry, value]]))).toEqual(model);
    // It grew to thousands of live entries and shrank again once the second half used only 200 ids.
    expect(maxCapacity).toBeGreaterThanOrEqual(2048);
    expect(table.capacity).toBeLessThan(maxCapacity);
  });

  it("stays right in a nearly full 16-slot table, where probe runs wrap past the last slot", () => {
    const next = random(16);
    const table = new CompactIdTable({ initialCapacity: 16 });
    const model = new Set<string>();
    const pool = Array.from({ length: 11 }, () => uuidFrom(next));
    for (let step = 0; step < 20_000; step++) {
      const id = pool[Math.floor(next() * pool.length)]!;
      if (next() < 0.6) {
        table.set(id, 1);
        model.add(id);
      } else expect(table.delete(id)).toBe(model.delete(id));
      for (const known of pool) expect(table.has(known)).toBe(model.has(known));
    }
    expect(table.capacity).toBe(16);
  });

  it("evicts strictly before `now`: an entry expiring at `now` stays", () => {
    const table = new CompactIdTable();
    const [a, b] = [randomUUID(), randomUUID()];
    table.set(a, 10);
    table.set(b, 11);
    expect(table.evictExpired(10)).toBe(0);
    expect(table.evictExpired(10.5)).toBe(1);
    expect(table.has(a)).toBe(false);
    expect(table.has(b)).toBe(true);
  });

  it("evicting every other entry of a full table leaves each survivor reachable (deletion shifts runs back)", () => {
    const table = new CompactIdTable({ initialCapacity: 1024 });
    const ids = Array.from({ length: 700 }, () => randomUUID());
    ids.forEach((id, i) => table.set(id, i % 2 === 0 ? 5 : 50));
    expect(table.capacity).toBe(1024);
    expect(table.evictExpired(10)).toBe(350);
    ids.forEach((id, i) => expect(table.has(id)).toBe(i % 2 === 1));
    expect(table.evictExpired(100)).toBe(350);
    expect(table.size).toBe(0);
  });

  it("costs about 20 bytes a slot, at most 70 % full: 1M UUIDs in 2M slots, 40 MiB", () => {
    const table = new CompactIdTable();
    for (let i = 0; i < 100_000; i++) table.set(randomUUID(), 1);
    expect(table.capacity).toBe(262_144);
    expect(table.byteLength).toBe(262_144 * 20);
    expect(new CompactIdTable({ values: true }).byteLength / 1024).toBe(28);
  });
});

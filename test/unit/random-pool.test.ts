import { describe, expect, it } from "vitest";
import { poolRandomBytes } from "../../src/auth/random-pool.js";

describe("poolRandomBytes", () => {
  it("hands out each byte once: 20,000 draws of 32 bytes (many pool refills) are all distinct", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(poolRandomBytes(32).toString("hex"));
    expect(seen.size).toBe(20_000);
  });

  it("returns copies: changing one draw changes no other, and sizes are exact", () => {
    const first = poolRandomBytes(12);
    const before = poolRandomBytes(12).toString("hex");
    first.fill(0);
    expect([first.length, before.length]).toEqual([12, 24]);
    expect(poolRandomBytes(1000)).toHaveLength(1000);
  });

  it("looks uniform: each bit of 64 KiB drawn is set about half the time", () => {
    let ones = 0;
    for (let i = 0; i < 2048; i++) for (const byte of poolRandomBytes(32)) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
    // 524,288 bits: the standard deviation is 362 bits, so ±2,000 is more than five of them.
    expect(Math.abs(ones - 262_144)).toBeLessThan(2_000);
  });
});

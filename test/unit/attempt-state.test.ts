import { describe, expect, it } from "vitest";
import { type AttemptPolicy, reserveAttempt } from "../../src/auth/attempt-state.js";

const policy: AttemptPolicy = { limit: 3, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 900, tracksInFlight: true };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

describe("reserveAttempt", () => {
  it("grants up to the limit; the reservation that reaches it locks at once", () => {
    let state = null;
    for (let i = 1; i <= 3; i++) {
      const r = reserveAttempt(state, policy, at(0));
      expect(r.granted).toBe(true);
      state = r.granted ? r.next : state;
      expect(state!.failures).toBe(i);
    }
    expect(state!.lockedUntil).toEqual(at(30));
    expect(state!.inFlight).toBe(3);
    // The three checks still run: busy, for a second. Once they failed: the lock.
    expect(reserveAttempt(state, policy, at(10))).toEqual({ granted: false, retryAfterSeconds: 1, busy: true });
    expect(reserveAttempt({ ...state!, inFlight: 0 }, policy, at(10))).toEqual({ granted: false, retryAfterSeconds: 20, busy: false });
  });

  it("after a lock runs out grants one more, which locks for twice as long, up to the maximum", () => {
    const locked = { failures: 3, inFlight: 0, windowStart: at(0), lockedUntil: at(30) };
    const next = reserveAttempt(locked, policy, at(31));
    expect(next).toEqual({ granted: true, next: { failures: 4, inFlight: 1, windowStart: at(0), lockedUntil: at(31 + 60) } });
    // Its check still running, the lock stands on the three failures before it: not busy.
    expect(reserveAttempt({ failures: 4, inFlight: 1, windowStart: at(0), lockedUntil: at(91) }, policy, at(32))).toEqual({ granted: false, retryAfterSeconds: 59, busy: false });
    expect(reserveAttempt({ failures: 40, inFlight: 0, windowStart: at(0), lockedUntil: at(1) }, policy, at(2))).toMatchObject({
      next: { lockedUntil: at(2 + 900) },
    });
  });

  it("forgets a window once it has passed and no lock holds", () => {
    expect(reserveAttempt({ failures: 2, inFlight: 2, windowStart: at(0), lockedUntil: null }, policy, at(900))).toEqual({
      granted: true,
      next: { failures: 1, inFlight: 1, windowStart: at(900), lockedUntil: null },
    });
  });

  it("counters that track no checks (registrations, mails) count nothing in flight and are never busy", () => {
    const action = { ...policy, tracksInFlight: false };
    expect(reserveAttempt(null, action, at(0))).toEqual({ granted: true, next: { failures: 1, inFlight: 0, windowStart: at(0), lockedUntil: null } });
    expect(reserveAttempt({ failures: 3, inFlight: 3, windowStart: at(0), lockedUntil: at(30) }, action, at(10))).toEqual({ granted: false, retryAfterSeconds: 20, busy: false });
  });
});

describe("throttle keys", () => {
  it("count IPv6 clients per /64 and IPv4 (also mapped) per address", async () => {
    const { networkKey } = await import("../../src/auth/throttle-keys.js");
    expect(networkKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(networkKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(networkKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(networkKey("::1")).toBe("0:0:0:0::/64");
    expect(networkKey("203.0.113.9")).toBe("203.0.113.9");
    expect(networkKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("store addresses as hashes, whatever their length", async () => {
    const { emailKey } = await import("../../src/auth/throttle-keys.js");
    expect(emailKey("bob@example.com")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(emailKey("x".repeat(90_000))).toHaveLength(43);
  });
});

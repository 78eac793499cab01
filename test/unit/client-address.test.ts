import type { IncomingMessage } from "node:http";
import express from "express";
import { describe, expect, it } from "vitest";
import { clientAddress } from "../../src/server/client-address.js";

/** Every TRUST_PROXY form parse-config.ts hands to Express. */
const TRUST_SETTINGS: (boolean | number | string)[] = [false, true, 0, 1, 2, "loopback", "127.0.0.1", "10.0.0.0/8, loopback", "uniquelocal", "::1", "::ffff:127.0.0.1"];
/** Socket addresses: IPv4, IPv6, IPv4-mapped, and none (the socket was destroyed before anyone asked). */
const REMOTES: (string | undefined)[] = ["127.0.0.1", "10.1.2.3", "203.0.113.5", "::1", "::ffff:127.0.0.1", "2001:db8::1", undefined];
const FORWARDED: (string | undefined)[] = [undefined, "198.51.100.7", "198.51.100.7, 10.0.0.2", "2001:db8::9, 127.0.0.1", "not-an-ip"];

/** Express's own `req.ip` for a request with this socket address and X-Forwarded-For. */
function expressIp(trust: boolean | number | string, request: IncomingMessage): string | undefined {
  const app = express();
  app.set("trust proxy", trust);
  const req = Object.create(app.request, { headers: { value: request.headers }, socket: { value: request.socket } }) as express.Request;
  return req.ip;
}

describe("clientAddress is Express's req.ip", () => {
  it("for every TRUST_PROXY form, socket address (none included) and X-Forwarded-For", () => {
    const mismatches: string[] = [];
    for (const trust of TRUST_SETTINGS) {
      const app = express();
      app.set("trust proxy", trust);
      for (const remoteAddress of REMOTES)
        for (const forwarded of FORWARDED) {
          const request = { headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded }, socket: { remoteAddress } } as unknown as IncomingMessage;
          const ours = clientAddress(request, app.get("trust proxy fn"));
          const theirs = expressIp(trust, request) ?? null;
          if (ours !== theirs) mismatches.push(`trust ${JSON.stringify(trust)}, socket ${remoteAddress}, X-Forwarded-For ${forwarded}: ${ours} ≠ Express's ${theirs}`);
        }
    }
    expect(mismatches).toEqual([]);
  });
});

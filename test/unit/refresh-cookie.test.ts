import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE_NAME, refreshCookieJar } from "../../src/server/refresh-cookie.js";

/**
 * The refresh cookie is written without Express (direct routes get Node's own response): the
 * Set-Cookie values must be the ones Express's res.cookie and res.clearCookie wrote before.
 */
const ATTRIBUTES = { httpOnly: true, secure: true, sameSite: "strict", path: "/" } as const;
const MAX_AGE_SECONDS = 30 * 24 * 3600;
const servers: http.Server[] = [];
let viaExpress = "";
let viaJar = "";

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const app = express();
  app.get("/set", (_req, res) => void res.cookie(REFRESH_COOKIE_NAME, "a.b-c_d", { ...ATTRIBUTES, maxAge: MAX_AGE_SECONDS * 1000 }).end());
  app.get("/clear", (_req, res) => void res.clearCookie(REFRESH_COOKIE_NAME, ATTRIBUTES).end());
  app.get("/both", (_req, res) => void res.setHeader("Set-Cookie", "other=1").cookie(REFRESH_COOKIE_NAME, "a.b-c_d", { ...ATTRIBUTES, maxAge: MAX_AGE_SECONDS * 1000 }).end());
  viaExpress = await listen(app);
  viaJar = await listen((req, res) => {
    const jar = refreshCookieJar(req, res, { corsOrigins: [], maxAgeSeconds: MAX_AGE_SECONDS });
    if (req.url === "/both") res.setHeader("Set-Cookie", "other=1");
    if (req.url === "/clear") jar.clear();
    else jar.set("a.b-c_d");
    res.end();
  });
});
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** Set-Cookie values with Expires rounded to the minute: the two servers answer a moment apart. */
const cookiesOf = async (url: string) =>
  (await fetch(url)).headers.getSetCookie().map((cookie) => cookie.replace(/Expires=([^;]+)/, (_, date: string) => `Expires=${Math.round(Date.parse(date) / 60_000)}`));

describe("the refresh cookie without Express", () => {
  it.each(["/set", "/clear", "/both"])("writes what Express's res.cookie / res.clearCookie wrote (%s)", async (path) => {
    expect(await cookiesOf(viaJar + path)).toEqual(await cookiesOf(viaExpress + path));
  });
});

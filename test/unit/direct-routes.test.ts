import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directRoutes } from "../../src/server/direct-routes.js";

const abandoned: unknown[] = [];
let base = "";
let server: http.Server;

beforeAll(async () => {
  const app = express();
  app.set("trust proxy", "loopback");
  app.get("/other", (_req, res) => res.json({ from: "router" }));
  const routes = directRoutes(app, { onAbandoned: (error) => abandoned.push(error) });
  const onError: ErrorRequestHandler = (error: Error, _req, res, next) => {
    if (res.headersSent) return next(error);
    res.status(500).json({ error: error.message });
  };
  routes.add({
    method: "POST",
    path: "/direct",
    handlers: [
      (req, res, next) => {
        // Express's own request and response API, as the router would give them.
        res.vary("Origin");
        res.locals["ip"] = req.ip;
        next();
      },
      (_req, res) => res.json({ ip: res.locals["ip"], vary: res.getHeader("vary") }),
    ],
    onError,
  });
  routes.add({ method: "POST", path: "/throws", handlers: [() => Promise.reject(new Error("handler failed"))], onError });
  routes.add({
    method: "POST",
    path: "/late",
    handlers: [
      async (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        throw new Error("failed after the answer began");
      },
    ],
    onError,
  });
  server = http.createServer(routes.listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("directRoutes", () => {
  it("runs the handlers in order with Express's request and response API (trust proxy included)", async () => {
    const response = await fetch(`${base}/direct`, { method: "POST", headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(await response.json()).toEqual({ ip: "203.0.113.7", vary: "Origin" });
  });

  it("leaves every other method and URL to Express's router", async () => {
    expect(await (await fetch(`${base}/other`)).json()).toEqual({ from: "router" });
    expect((await fetch(`${base}/direct?x=1`, { method: "POST" })).status).toBe(404);
  });

  it("hands a rejected handler's error to the error handler", async () => {
    const response = await fetch(`${base}/throws`, { method: "POST" });
    expect([response.status, await response.json()]).toEqual([500, { error: "handler failed" }]);
  });

  it("closes the connection and reports the error when the answer had already begun", async () => {
    await expect(fetch(`${base}/late`, { method: "POST" }).then((response) => response.text())).rejects.toThrow();
    expect(abandoned).toEqual([expect.objectContaining({ message: "failed after the answer began" })]);
  });
});

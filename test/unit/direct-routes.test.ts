import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress } from "../../src/server/client-address.js";
import { directRoutes, type PlainErrorHandler } from "../../src/server/direct-routes.js";

const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
};

const abandoned: unknown[] = [];
let base = "";
let server: http.Server;

beforeAll(async () => {
  const app = express();
  app.set("trust proxy", "loopback");
  app.get("/other", (_req, res) => res.json({ from: "router" }));
  const routes = directRoutes(app, { onAbandoned: (error) => abandoned.push(error) });
  const onError: PlainErrorHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    sendJson(res, 500, { error: (error as Error).message });
  };
  routes.add({
    method: "POST",
    path: "/direct",
    handlers: [
      (req, res, next) => {
        res.setHeader("vary", "Origin");
        req.body = { ip: clientAddress(req, app.get("trust proxy fn")) };
        next();
      },
      (req, res) =>
        sendJson(res, 200, {
          ...(req.body as object),
          vary: res.getHeader("vary"),
          // Node's own objects: Express's prototypes would slow every later access in Node's HTTP code.
          plain: Object.getPrototypeOf(req) === http.IncomingMessage.prototype && Object.getPrototypeOf(res) === http.ServerResponse.prototype,
        }),
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
  it("runs the handlers in order on Node's own request and response (the address as trust proxy allows)", async () => {
    const response = await fetch(`${base}/direct`, { method: "POST", headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(await response.json()).toEqual({ ip: "203.0.113.7", vary: "Origin", plain: true });
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

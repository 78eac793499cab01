import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_AVAILABLE, CHROMIUM_SKIP_NOTE, launchChromium } from "../support/chromium.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let dev: TestServer;
let production: TestServer;
beforeAll(async () => {
  [dev, production] = await Promise.all([
    startTestServer({ NODE_ENV: "development" }),
    startTestServer({ NODE_ENV: "production", SEED_DEMO_USERS: "false" }),
  ]);
});
afterAll(async () => {
  await dev?.stop();
  await production?.stop();
});

describe("the landing page over HTTP", () => {
  it("development: the name, the demo logins and a curl line that logs in, rendered by the server", async () => {
    const response = await fetch(dev.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<h1>claimgate</h1>");
    expect(html).toContain("alice@example.com");
    expect(html).toContain("bob-password-123");
    const curl = /<pre>([\s\S]*?)<\/pre>/.exec(html)![1]!.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code)));
    expect(curl).toContain(dev.url);
    const { stdout } = await promisify(execFile)("sh", ["-c", curl]);
    expect(JSON.parse(stdout).data.login.accessToken).toEqual(expect.any(String));
  });

  it("production: a browser GET gets a short explanation, not a CSRF error, and nothing about the deployment", async () => {
    const response = await fetch(production.url, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("GraphQL API");
    expect(html).not.toMatch(/claimgate|sandbox|example\.com|password|Cross-Site/i);
  });

  it("a GET with a query, or one asking for JSON, is still GraphQL", async () => {
    const json = await fetch(dev.url, { headers: { accept: "application/json" } });
    expect(json.headers.get("content-type")).toMatch(/json/);
    const query = await fetch(`${dev.url}?query=${encodeURIComponent("{ viewer { authenticated } }")}`, {
      headers: { accept: "text/html, application/json;q=0.9", "apollo-require-preflight": "true" },
    });
    expect(((await query.json()) as any).data.viewer.authenticated).toBe(false);
  });
});

describe.skipIf(!CHROMIUM_AVAILABLE)(`the landing page in Chromium${CHROMIUM_SKIP_NOTE}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it("offline (Apollo's CDN unreachable) it still shows the name, the demo logins and the curl line", async () => {
    const context = await browser.newContext();
    // Everything but the server itself fails, as behind a firewall.
    await context.route((url) => !url.href.startsWith(new URL(dev.url).origin), (route) => route.abort());
    const page = await context.newPage();
    await page.goto(dev.url);
    await expect.poll(() => page.locator("#sandbox-note").textContent()).toContain("could not load");
    expect(await page.locator("h1").textContent()).toBe("claimgate");
    expect(await page.locator("table").textContent()).toContain("bob@example.com");
    expect(await page.locator("pre").textContent()).toContain("curl");
    await context.close();
  });
});

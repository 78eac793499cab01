import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE_NAME } from "../../src/server/refresh-cookie.js";
import { CHROMIUM_AVAILABLE, CHROMIUM_SKIP_NOTE, launchChromium } from "../support/chromium.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";
import { buildWebExample, servePage } from "../support/web-example.js";

// The page (examples/web, built with Vite) and the API listen on different ports: another origin,
// as in development. One Chromium for the whole file.
describe.skipIf(!CHROMIUM_AVAILABLE)(`examples/web in headless Chromium${CHROMIUM_SKIP_NOTE}`, () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  let pageSite: { port: number; close(): Promise<void> };
  let buildDir: string;
  let pageUrl: string;
  const log: string[] = [];

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), "claimgate-web-"));
    const [, launched] = await Promise.all([buildWebExample(buildDir), launchChromium()]);
    browser = launched;
    pageSite = await servePage(buildDir);
    // Only the page's exact origin: http://localhost:<same port> is another origin, not allowed.
    server = await startTestServer({ CORS_ORIGINS: `http://127.0.0.1:${pageSite.port}`, REVOCATION_SYNC_INTERVAL: "1s" });
    pageUrl = `http://127.0.0.1:${pageSite.port}/?api=${encodeURIComponent(server.url)}`;
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    // Shown when a test fails: what the page said and which requests failed.
    page.on("console", (message) => log.push(`console: ${message.text()}`));
    page.on("pageerror", (error) => log.push(`page error: ${error.message}`));
    page.on("response", (response) => log.push(`${response.status()} ${response.request().postData()?.slice(0, 80) ?? response.url()}`));
    page.on("websocket", (socket) => {
      log.push(`websocket opened`);
      socket.on("close", () => log.push("websocket closed"));
      socket.on("framereceived", (frame) => log.push(`ws in: ${String(frame.payload).slice(0, 120)}`));
      socket.on("framesent", (frame) => log.push(`ws out: ${String(frame.payload).slice(0, 120)}`));
    });
  });
  afterEach((context) => {
    if (context.task.result?.state === "fail") console.error(`page log:\n${log.join("\n")}\nlist: ${JSON.stringify(context.task.name)}`);
    log.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await pageSite?.close();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  const status = () => page.locator("#status");
  const post = (title: string) => page.locator("#posts li", { hasText: title });

  it("logs in in cookie mode: the refresh token is in an HttpOnly cookie that document.cookie cannot see", async () => {
    await page.goto(pageUrl);
    await page.locator("#login-form").waitFor();
    await page.click("#login-button");
    await expect.poll(() => status().textContent()).toBe("Logged in as bob@example.com");
    await post("Hello from bob").waitFor();
    const cookies = await page.context().cookies(server.url);
    const refresh = cookies.find((cookie) => cookie.name === REFRESH_COOKIE_NAME);
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    expect(await page.evaluate(() => document.cookie)).not.toContain("claimgate");
  });

  it("a post created elsewhere appears live", async () => {
    await page.waitForFunction(() => document.getElementById("status")?.dataset["ready"] === "true");
    // The subscription is in place once the server's feed has a listener.
    await expect.poll(() => server.server.services.postFeed.subscriberCount, { timeout: 10_000 }).toBeGreaterThan(0);
    const alice = await server.login(ALICE.email, ALICE.password);
    await server.gql(`mutation { createPost(input: { title: "Live from elsewhere", body: "b" }) { id } }`, { token: alice.accessToken });
    await post("Live from elsewhere").waitFor();
  });

  it("an expired access token is refreshed once for concurrent operations, and the subscription survives", async () => {
    server.clock.advance(16 * 60);
    try {
      await page.click("#reload");
      await expect.poll(() => page.locator("#refresh-count").textContent()).toBe("1");
      await post("Hello from bob").waitFor();
      // The page either renewed its socket or (if the server closed it first) subscribed again,
      // possibly after graphql-ws's reconnect backoff (1 s doubling, plus up to 3 s of jitter);
      // nothing tells the test which, so publish until one post arrives live.
      const alice = await server.login(ALICE.email, ALICE.password);
      let arrived = false;
      const deadline = Date.now() + 40_000;
      for (let attempt = 0; Date.now() < deadline && !arrived; attempt++) {
        await server.gql(`mutation ($t: String!) { createPost(input: { title: $t, body: "b" }) { id } }`, {
          token: alice.accessToken,
          variables: { t: `After the refresh ${attempt}` },
        });
        arrived = await post(`After the refresh ${attempt}`).waitFor({ timeout: 1_500 }).then(() => true, () => false);
      }
      expect(arrived).toBe(true);
      expect(await page.locator("#error").textContent()).toBe("");
    } finally {
      server.clock.advance(-16 * 60);
    }
  }, 60_000);

  it("a reload keeps the user logged in through the cookie", async () => {
    await page.reload();
    await expect.poll(() => status().textContent()).toBe("Logged in as bob@example.com");
    await post("Hello from bob").waitFor();
  });

  it("a page on an origin not in CORS_ORIGINS cannot call the API", async () => {
    const stranger = await (await browser.newContext()).newPage();
    try {
      await stranger.goto(`http://localhost:${pageSite.port}/?api=${encodeURIComponent(server.url)}`);
      await stranger.locator("#login-form").waitFor();
      await stranger.click("#login-button");
      await expect.poll(() => stranger.locator("#error").textContent()).toMatch(/fetch/i);
      expect(await stranger.locator("#status").textContent()).toBe("Logged out");
    } finally {
      await stranger.context().close();
    }
  });

  it("logging out ends the session and clears the cookie: a reload stays logged out", async () => {
    await page.click("#logout");
    await expect.poll(() => status().textContent()).toBe("Logged out");
    expect((await page.context().cookies(server.url)).some((cookie) => cookie.name === REFRESH_COOKIE_NAME)).toBe(false);
    await page.reload();
    await page.locator("#login-form").waitFor();
    expect(await status().textContent()).toBe("Logged out");
  });
});

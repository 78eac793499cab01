import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_COOKIE_NAME } from "../../src/server/refresh-cookie.js";
import { ALICE, BOB, startTestServer, type TestServer } from "../support/test-server.js";

const PAGE = "http://127.0.0.1:5173";
const STRANGER = "https://evil.example";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: `http://127.0.0.1:*, https://app.example.com` });
});
afterAll(() => server?.stop());

const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;

/** A POST as a browser page on `origin` sends it. */
async function post(query: string, options: { origin?: string; cookie?: string; cookieMode?: boolean; token?: string; variables?: object } = {}) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.cookieMode ? { "claimgate-refresh-token": "cookie" } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { response, body: (await response.json()) as any };
}

/** The refresh cookie a response set: its value and attributes. */
function setCookie(response: Response): { value: string; attributes: string } | null {
  const header = response.headers.getSetCookie().find((line) => line.startsWith(`${REFRESH_COOKIE_NAME}=`));
  if (!header) return null;
  const [pair, ...attributes] = header.split(";");
  return { value: pair!.slice(REFRESH_COOKIE_NAME.length + 1), attributes: attributes.join(";").trim() };
}

describe("CORS", () => {
  it("a preflight from a listed origin succeeds with the headers clients send, credentials allowed", async () => {
    const response = await fetch(server.url, {
      method: "OPTIONS",
      headers: {
        origin: PAGE,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,apollo-require-preflight,x-apollo-operation-name,claimgate-refresh-token",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    const allowed = response.headers.get("access-control-allow-headers")!.split(",");
    for (const header of ["authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name", "claimgate-refresh-token"]) {
      expect(allowed).toContain(header);
    }
    expect(response.headers.get("vary")).toMatch(/origin/i);
  });

  it("a disallowed origin gets no CORS headers, on the preflight and on the request", async () => {
    const preflight = await fetch(server.url, {
      method: "OPTIONS",
      headers: { origin: STRANGER, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const { response } = await post(`{ viewer { authenticated } }`, { origin: STRANGER });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    // The same URL answers a listed origin differently: a shared cache must key on Origin.
    expect([preflight.headers.get("vary"), response.headers.get("vary")]).toEqual(["Origin", "Origin"]);
  });

  it("responses expose the request id and the authentication challenge to the page", async () => {
    const { response } = await post(`{ viewer { authenticated } }`, { origin: "https://app.example.com" });
    expect(response.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(response.headers.get("access-control-expose-headers")).toContain("www-authenticate");
  });

  it("with * any origin may read, never with credentials", async () => {
    const open = await startTestServer({ CORS_ORIGINS: "*" });
    try {
      const response = await fetch(open.url, {
        method: "OPTIONS",
        headers: { origin: STRANGER, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      const login = await fetch(open.url, {
        method: "POST",
        headers: { "content-type": "application/json", origin: STRANGER, "claimgate-refresh-token": "cookie" },
        body: JSON.stringify({ query: LOGIN, variables: BOB }),
      });
      const body = (await login.json()) as any;
      expect(body.errors[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ORIGIN_NOT_ALLOWED" });
    } finally {
      await open.stop();
    }
  });
});

describe("CSRF prevention", () => {
  const get = (headers: Record<string, string>) =>
    fetch(`${server.url}?query=${encodeURIComponent("{ viewer { authenticated subject } }")}`, { headers });

  it("an authenticated GET (urql's default for queries) works: Authorization forces a preflight", async () => {
    const { accessToken } = await server.login(BOB.email, BOB.password);
    const response = await get({ authorization: `Bearer ${accessToken}` });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.viewer.authenticated).toBe(true);
  });

  it("an anonymous GET without a preflight-forcing header is refused as a possible CSRF; with one it works", async () => {
    const refused = await get({});
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Cross-Site Request Forgery");
    const allowed = await get({ "apollo-require-preflight": "true" });
    expect(allowed.status).toBe(200);
  });

  it("a simple cross-site POST (a form's content type) is refused", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: STRANGER, cookie: `${REFRESH_COOKIE_NAME}=x` },
      body: JSON.stringify({ query: `mutation { refresh { accessToken } }` }),
    });
    expect(response.status).toBe(400);
  });
});

describe("cookie mode", () => {
  it("login sets an HttpOnly, Secure, SameSite=Strict __Host- cookie and leaves refreshToken null", async () => {
    const { response, body } = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    expect(body.data.login.refreshToken).toBeNull();
    expect(body.data.login.accessToken).toEqual(expect.any(String));
    const cookie = setCookie(response)!;
    expect(cookie.value.length).toBeGreaterThan(20);
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(cookie.attributes).toMatch(/Secure/i);
    expect(cookie.attributes).toMatch(/SameSite=Strict/i);
    expect(cookie.attributes).toMatch(/Path=\//i);
    expect(cookie.attributes).not.toMatch(/Domain=/i);
    expect(cookie.attributes).toMatch(/Max-Age=\d+/i);
  });

  it("refresh without an argument uses the cookie and rotates it; the old cookie stops working", async () => {
    const login = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    const first = setCookie(login.response)!.value;
    const refreshed = await post(`mutation { refresh { accessToken refreshToken } }`, { origin: PAGE, cookie: `${REFRESH_COOKIE_NAME}=${first}` });
    expect(refreshed.body.data.refresh.refreshToken).toBeNull();
    const second = setCookie(refreshed.response)!.value;
    expect(second).not.toBe(first);
    const viewer = await server.gql(`{ viewer { subject } }`, { token: refreshed.body.data.refresh.accessToken });
    expect(viewer.body.data!["viewer"].subject).toEqual(expect.any(String));
    const again = await post(`mutation { refresh { accessToken } }`, { origin: PAGE, cookie: `${REFRESH_COOKIE_NAME}=${second}` });
    expect(again.body.data.refresh.accessToken).toEqual(expect.any(String));
  });

  it("10 concurrent refreshes with one cookie (tabs of one browser) all get the same successor cookie; the session survives", async () => {
    const login = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    const cookie = `${REFRESH_COOKIE_NAME}=${setCookie(login.response)!.value}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => post(`mutation { refresh { accessToken } }`, { origin: PAGE, cookie })));
    for (const { body } of results) expect(body.data?.refresh.accessToken).toEqual(expect.any(String));
    const successors = new Set(results.map(({ response }) => setCookie(response)!.value));
    expect(successors.size).toBe(1);
    const next = await post(`mutation { refresh { accessToken } }`, { origin: PAGE, cookie: `${REFRESH_COOKIE_NAME}=${[...successors][0]}` });
    expect(next.body.data.refresh.accessToken).toEqual(expect.any(String));
  });

  it("a cookie-authenticated request from an unlisted origin, or with no origin, is refused", async () => {
    const login = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    const cookie = `${REFRESH_COOKIE_NAME}=${setCookie(login.response)!.value}`;
    for (const origin of [STRANGER, undefined]) {
      const { body } = await post(`mutation { refresh { accessToken } }`, { ...(origin ? { origin } : {}), cookie });
      expect(body.errors[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ORIGIN_NOT_ALLOWED" });
    }
    // Refused before the refresh token was touched: it still works from the page.
    const fine = await post(`mutation { refresh { accessToken } }`, { origin: PAGE, cookie });
    expect(fine.body.data.refresh.accessToken).toEqual(expect.any(String));
  });

  it("asking for cookie mode from an unlisted origin is refused before the password is checked", async () => {
    const { body, response } = await post(LOGIN, { origin: STRANGER, cookieMode: true, variables: ALICE });
    expect(body.errors[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ORIGIN_NOT_ALLOWED" });
    expect(setCookie(response)).toBeNull();
  });

  it("refresh with neither argument nor cookie says what to do", async () => {
    const { body } = await post(`mutation { refresh { accessToken } }`, { origin: PAGE });
    expect(body.errors[0].extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "REFRESH_TOKEN_MISSING" });
  });

  it("logout without an argument ends the cookie's session and clears the cookie", async () => {
    const login = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    const cookie = `${REFRESH_COOKIE_NAME}=${setCookie(login.response)!.value}`;
    const out = await post(`mutation { logout }`, { origin: PAGE, cookie });
    expect(out.body.data.logout).toBe(true);
    const cleared = setCookie(out.response)!;
    expect(cleared.value).toBe("");
    expect(cleared.attributes).toMatch(/Expires=Thu, 01 Jan 1970/i);
    const after = await post(`mutation { refresh { accessToken } }`, { origin: PAGE, cookie });
    expect(after.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("logoutAll clears the cookie too", async () => {
    const login = await post(LOGIN, { origin: PAGE, cookieMode: true, variables: ALICE });
    const cookie = `${REFRESH_COOKIE_NAME}=${setCookie(login.response)!.value}`;
    const out = await post(`mutation { logoutAll }`, { origin: PAGE, cookie, token: login.body.data.login.accessToken });
    expect(out.body.data.logoutAll).toBeGreaterThanOrEqual(1);
    expect(setCookie(out.response)!.value).toBe("");
  });

  it("body mode is unchanged for native apps and servers: no cookie, the token in the body", async () => {
    const { response, body } = await post(LOGIN, { variables: ALICE });
    expect(body.data.login.refreshToken).toEqual(expect.any(String));
    expect(setCookie(response)).toBeNull();
    const refreshed = await post(`mutation ($t: String) { refresh(refreshToken: $t) { refreshToken } }`, { variables: { t: body.data.login.refreshToken } });
    expect(refreshed.body.data.refresh.refreshToken).toEqual(expect.any(String));
    expect(setCookie(refreshed.response)).toBeNull();
  });

  it("renewConnection over HTTP answers BAD_REQUEST", async () => {
    const { accessToken } = await server.login(ALICE.email, ALICE.password);
    const { body } = await post(`mutation ($t: String!) { renewConnection(accessToken: $t) }`, { variables: { t: accessToken } });
    expect(body.errors[0].extensions).toMatchObject({ code: "BAD_REQUEST", reason: "WEBSOCKET_ONLY" });
  });
});

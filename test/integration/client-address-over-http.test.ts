import net from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOB, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The client address login limits key on (sessions show it) must not depend on how the request
 * reached GraphQL, nor vanish when the client hangs up early. A gzip body is inflated off the
 * main thread, so a client that half-closes its connection right after the body has its socket
 * destroyed before the context is built: unless the address was read while the socket was open,
 * `socket.remoteAddress` is then undefined, the request has no IP, and every per-IP limit
 * (registrations, reset mails, login failures by address) skips it.
 */
let direct: TestServer;
let proxied: TestServer;
beforeAll(async () => {
  [direct, proxied] = await Promise.all([startTestServer(), startTestServer({ TRUST_PROXY: "loopback" })]);
});
afterAll(() => Promise.all([direct?.stop(), proxied?.stop()]));

const LOGIN = JSON.stringify({ query: `mutation { login(email: "${BOB.email}", password: "${BOB.password}") { accessToken } }` });

/** A login whose gzip body is followed at once by the end of the connection: the answer is never read. */
async function loginAndHangUp(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<void> {
  const { hostname, port } = new URL(server.url);
  const body = gzipSync(LOGIN);
  const head = { host: `${hostname}:${port}`, "content-type": "application/json", "content-encoding": "gzip", "content-length": String(body.length), ...headers };
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\n${Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
      socket.end(body, resolve);
    });
    socket.on("error", reject);
  });
}

/** The IP of the session a hung-up login created (waits for it: nobody reads its answer). */
async function ipOfNextSession(server: TestServer, login: () => Promise<void>): Promise<string | null> {
  const { accessToken } = await server.login(BOB.email, BOB.password);
  const sessions = async () => (await server.gql<{ sessions: { id: string; ip: string | null }[] }>(`{ sessions { id ip } }`, { token: accessToken })).body.data!.sessions;
  const known = new Set((await sessions()).map((session) => session.id));
  await login();
  for (let attempt = 0; attempt < 100; attempt++) {
    const created = (await sessions()).find((session) => !known.has(session.id));
    if (created) return created.ip;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the hung-up login created no session");
}

describe("the client address survives a client that hangs up", () => {
  for (const [route, path] of [
    ["direct route", "/graphql"],
    ["Express's router", "/graphql/"],
  ] as const) {
    it(`without a trusted proxy the socket's address is kept (${route})`, async () => {
      expect(await ipOfNextSession(direct, () => loginAndHangUp(direct, path))).toBe("127.0.0.1");
    });

    it(`through a trusted proxy X-Forwarded-For's client is kept (${route})`, async () => {
      expect(await ipOfNextSession(proxied, () => loginAndHangUp(proxied, path, { "x-forwarded-for": "198.51.100.7" }))).toBe("198.51.100.7");
    });
  }
});

describe("the client address is the same on every form of the URL", () => {
  it("a login through a trusted proxy keys on the same address on the direct route and through Express's router", async () => {
    const login = async (url: string) => {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.9, 198.51.100.7" }, body: LOGIN });
      expect(response.status).toBe(200);
    };
    const addresses: (string | null)[] = [];
    for (const url of [proxied.url, `${proxied.url}/`, `${proxied.url}?form=query`]) addresses.push(await ipOfNextSession(proxied, () => login(url)));
    // Only the loopback hop is trusted: the client is the last address before it.
    expect(addresses).toEqual(["198.51.100.7", "198.51.100.7", "198.51.100.7"]);
  });
});

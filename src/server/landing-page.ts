import type { RequestHandler } from "express";

export interface LandingPageOptions {
  /** Where GraphQL is served, as the browser reached it (e.g. http://127.0.0.1:4000/graphql). */
  endpoint: (requestOrigin: string) => string;
  /** Development: the helpful page; production: a short explanation. */
  development: boolean;
  /** Embed Apollo Sandbox (loaded from Apollo's CDN) below the page's own content. */
  sandbox: boolean;
  /** Demo logins to show, when demo users are seeded. */
  demoLogins: readonly { email: string; password: string; roles: readonly string[] }[];
  /** The document Sandbox opens with. */
  sandboxDocument: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code,pre{font:14px/1.45 ui-monospace,monospace;background:#f4f4f6;border-radius:4px}pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left}`;
const SANDBOX_STYLE = `#sandbox{height:640px;margin-top:1rem}#sandbox-note{color:#6e6e73}`;

/**
 * A browser's GET on the GraphQL path (Accept: text/html, no query): in development a page that
 * helps even offline (the server renders the name, demo logins and a curl line; Sandbox is
 * embedded on top when Apollo's CDN answers), in production a short explanation instead of
 * Apollo's CSRF error. Requests carrying a query, or not asking for HTML, go on to GraphQL.
 */
export function landingPage(options: LandingPageOptions): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" || req.query["query"] !== undefined || req.accepts(["application/json", "text/html"]) !== "text/html") return next();
    const endpoint = options.endpoint(`${req.protocol}://${req.get("host") ?? "localhost"}`);
    const html = options.development ? developmentPage(endpoint, options) : productionPage();
    res
      .status(200)
      .set({
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "content-security-policy": options.development && options.sandbox
          ? "default-src 'self'; script-src 'self' 'unsafe-inline' https://embeddable-sandbox.cdn.apollographql.com; frame-src https://sandbox.embed.apollographql.com; style-src 'unsafe-inline'; connect-src 'self'"
          : "default-src 'none'; style-src 'unsafe-inline'",
      })
      .send(html);
  };
}

function developmentPage(endpoint: string, options: LandingPageOptions): string {
  const demo = options.demoLogins[0];
  const curl = `curl -s ${endpoint} -H 'content-type: application/json' \\\n  -d '{"query":"mutation { login(email: \\"${demo?.email ?? "you@example.com"}\\", password: \\"${demo?.password ?? "your-password"}\\") { accessToken refreshToken } }"}'`;
  const logins = options.demoLogins.length
    ? `<h2>Demo logins</h2><table><tr><th>Email</th><th>Password</th><th>Claims</th></tr>${options.demoLogins
        .map((user) => `<tr><td><code>${escape(user.email)}</code></td><td><code>${escape(user.password)}</code></td><td><code>role ${escape(user.roles.join(", "))}</code></td></tr>`)
        .join("")}</table>`
    : "<p>No demo users (SEED_DEMO_USERS is off): register one with the <code>register</code> mutation.</p>";
  const sandbox = options.sandbox
    ? `<div id="sandbox"></div><p id="sandbox-note">Loading Apollo Sandbox…</p>
<script src="https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js" async
  onload="document.getElementById('sandbox-note').remove();new window.EmbeddedSandbox({target:'#sandbox',initialEndpoint:${escape(JSON.stringify(endpoint))},initialState:{document:${escape(JSON.stringify(options.sandboxDocument))},includeCookies:false}})"
  onerror="document.getElementById('sandbox-note').textContent='Apollo Sandbox could not load (offline, or its CDN is blocked). Everything above works without it.'"></script>`
    : "<p>Sandbox is off (SANDBOX=false).</p>";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>claimgate · GraphQL</title><style>${STYLE}${SANDBOX_STYLE}</style></head><body>
<h1>claimgate</h1>
<p>A GraphQL API whose fields declare the JWT claims they need. GraphQL is served here: <code>${escape(endpoint)}</code> (POST JSON, or WebSocket with graphql-ws).</p>
${logins}
<h2>Try it</h2>
<p>Log in, then send the access token as <code>Authorization: Bearer &lt;accessToken&gt;</code>:</p>
<pre>${escape(curl)}</pre>
<p>Health: <a href="/healthz">/healthz</a> · Keys: <a href="/.well-known/jwks.json">/.well-known/jwks.json</a></p>
${sandbox}
</body></html>`;
}

function productionPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GraphQL API</title><style>${STYLE}</style></head><body>
<h1>GraphQL API</h1>
<p>This address serves a GraphQL API for applications. Send queries as <code>POST</code> requests with a JSON body
(<code>{"query": "…"}</code>) and <code>content-type: application/json</code>, or over WebSocket (graphql-ws).</p>
<p>There is nothing to see in a browser here.</p>
</body></html>`;
}

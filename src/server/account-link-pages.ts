import type { Express } from "express";

/**
 * When APP_URL is not set, links in mails point at this server: these two small pages complete
 * the flows from a browser (verify the address; choose a new password) by calling the GraphQL
 * mutations, so the development quick start works end to end from the mail alone. The token is
 * read by the page from its own URL, never echoed by the server; scripts are inline and nothing
 * else may load.
 */
export function mountAccountLinkPages(app: Express, graphqlPath: string): void {
  const page = (title: string, body: string, script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title} · claimgate</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem .6rem}output{display:block;margin-top:1rem}</style></head>
<body><h1>${title}</h1>${body}<output id="out"></output>
<script>
const token = new URLSearchParams(location.search).get("token") || "";
const out = document.getElementById("out");
async function call(query, variables) {
  const response = await fetch(${JSON.stringify(graphqlPath)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join(" "));
  return body.data;
}
${script}
</script></body></html>`;
  const send = (html: string) => (_req: unknown, res: { set(h: Record<string, string>): { send(b: string): void } }) =>
    res
      .set({
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
      })
      .send(html);

  app.get(
    "/verify-email",
    send(
      page(
        "Confirm your email address",
        `<p><button id="go">Confirm and log in</button></p>`,
        `document.getElementById("go").onclick = async () => {
  try {
    const data = await call("mutation ($t: String!) { verifyEmail(token: $t) { user { email } } }", { t: token });
    out.textContent = "Confirmed: " + data.verifyEmail.user.email + " is verified. You can log in now.";
  } catch (error) { out.textContent = error.message; }
};`,
      ),
    ),
  );
  app.get(
    "/reset-password",
    send(
      page(
        "Choose a new password",
        `<form id="form"><p><input id="password" type="password" autocomplete="new-password" minlength="8" required placeholder="New password"> <button>Set password</button></p></form>`,
        `document.getElementById("form").onsubmit = async (event) => {
  event.preventDefault();
  try {
    await call("mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }", { t: token, p: document.getElementById("password").value });
    out.textContent = "Your password is changed, and every session of the account has ended. Log in with the new password.";
  } catch (error) { out.textContent = error.message; }
};`,
      ),
    ),
  );
}

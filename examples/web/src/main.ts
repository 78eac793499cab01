/// <reference lib="dom" />
import type { Subscription } from "rxjs";
import { createClaimgateClient } from "./claimgate-client.js";
import { LoginDocument, LogoutDocument, MeDocument, PostPublishedDocument, PostsDocument } from "./operations.js";

// ?api=… points the page at another server; the default is `npm start`'s.
const apiUrl = new URLSearchParams(location.search).get("api") ?? "http://127.0.0.1:4000/graphql";
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status"), form = $<HTMLFormElement>("login-form"), app = $("app"), list = $("posts"), error = $("error");

const client = createClaimgateClient(apiUrl, (session) => {
  status.textContent = session ? `Logged in as ${session.user.email}` : "Logged out";
  form.hidden = session !== null;
  app.hidden = session === null;
  $("refresh-count").textContent = String(client?.refreshCount() ?? 0);
});
const show = (e: unknown) => void (error.textContent = e instanceof Error ? e.message : String(e));

function addPost(post: { id: string; title: string }, atTop: boolean) {
  if (document.querySelector(`[data-post="${post.id}"]`)) return;
  const item = document.createElement("li");
  item.dataset["post"] = post.id;
  item.textContent = post.title;
  if (atTop) list.prepend(item);
  else list.append(item);
}

async function loadPosts() {
  // Two operations at once: on TOKEN_EXPIRED both wait for one refresh, then retry.
  const [posts] = await Promise.all([
    client.apollo.query({ query: PostsDocument, fetchPolicy: "network-only" }),
    client.apollo.query({ query: MeDocument, fetchPolicy: "network-only" }),
  ]);
  list.replaceChildren();
  for (const post of posts.data?.posts ?? []) addPost(post, false);
  $("refresh-count").textContent = String(client.refreshCount());
}

let live: Subscription | null = null;
function subscribe() {
  live?.unsubscribe();
  const tokenUsed = client.session()?.accessToken;
  const current = client.apollo.subscribe({ query: PostPublishedDocument }).subscribe({
    next: ({ data }) => data && addPost(data.postPublished, true),
    // 4401 (expired or ended session): refresh through the cookie, unless another operation
    // already did since this subscription started, then subscribe again with the new token.
    error: () => (client.session()?.accessToken !== tokenUsed ? Promise.resolve() : client.refreshOnce()).then(subscribe, show),
    // The feed never ends by itself; if the socket closed without an error (a normal closure while
    // the token was being renewed), stay live while still logged in. Unsubscribing calls neither.
    complete: () => {
      if (live === current && client.session()) setTimeout(() => live === current && client.session() && subscribe(), 500);
    },
  });
  live = current;
}

async function enter() {
  await loadPosts();
  subscribe();
  status.dataset["ready"] = "true";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  error.textContent = "";
  const variables = { email: $<HTMLInputElement>("email").value, password: $<HTMLInputElement>("password").value };
  client.apollo
    .mutate({ mutation: LoginDocument, variables })
    .then(({ data }) => {
      if (!data) throw new Error("login returned nothing");
      client.start({ accessToken: data.login.accessToken, user: data.login.user });
      return enter();
    })
    .catch(show);
});

$("reload").addEventListener("click", () => void loadPosts().catch(show));
$("logout").addEventListener("click", () => {
  live?.unsubscribe();
  client.apollo.mutate({ mutation: LogoutDocument }).then(() => client.forget(), show);
});

// A reload keeps the login: the cookie (sent by the browser, unseen by this script) refreshes.
client.refreshOnce().then(enter, () => {
  status.textContent = "Logged out";
  form.hidden = false;
});

// A runnable tour: `npm start` in one terminal, then
//   node --import tsx examples/typed-client/src/demo.ts [http://127.0.0.1:4000/graphql]
import { claimgateErrors } from "./claimgate-errors.js";
import { createClaimgateClient } from "./create-client.js";
import { MeDocument, PostsDocument } from "./operations.js";

const url = process.argv[2] ?? "http://127.0.0.1:4000/graphql";
const { client, login } = createClaimgateClient({ url });

const user = await login("bob@example.com", "bob-password-123");
console.log(`logged in as ${user.email}`);

const me = await client.query({ query: MeDocument, fetchPolicy: "no-cache" });
console.log("claims:", me.data?.me.claims);

const posts = await client.query({ query: PostsDocument, variables: { first: 5 }, fetchPolicy: "no-cache", errorPolicy: "all" });
for (const post of posts.data?.posts ?? []) console.log(`- ${post.title} (secretNote: ${post.secretNote ?? "hidden"})`);
for (const error of claimgateErrors(posts.error)) {
  if (error.code === "FORBIDDEN") console.log(`  ${error.path?.join(".")} needs ${error.requiredClaims.join(", ")}`);
}

import type { Post } from "../../db/generated/client.js";
import type { SubscriptionResolvers } from "../generated/resolvers-types.js";

export const Subscription: SubscriptionResolvers = {
  postPublished: {
    // @requiresClaims guards both: subscribe once at the start, resolve again for every event.
    subscribe: (_root, _args, context) => context.services.postFeed.published(),
    resolve: (post: Post) => post,
  },
};

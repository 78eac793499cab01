import { createPost } from "../../domain/posts.js";
import { setUserClaims, setUserDisabled, toUserView } from "../../domain/users.js";
import { subjectOf } from "../context.js";
import type { MutationResolvers } from "../generated/resolvers-types.js";

export const Mutation: MutationResolvers = {
  register: (_root, args, context) => context.services.accounts.register(args.email, args.password, context.client),
  login: (_root, args, context) => context.services.accounts.login(args.email, args.password, context.client),
  refresh: (_root, args, context) => context.services.sessions.refresh(args.refreshToken, context.client),
  logout: async (_root, args, context) => {
    await context.services.sessions.logout(args.refreshToken);
    return true;
  },
  createPost: (_root, args, context) => createPost(context.services.db, subjectOf(context), args.input),
  setUserClaims: async (_root, args, context) =>
    toUserView(await setUserClaims(context.services.db, args.userId, args.claims)),
  setUserDisabled: async (_root, args, context) =>
    toUserView(await setUserDisabled(context.services.db, args.userId, args.disabled, context.services.clock())),
};

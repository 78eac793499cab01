import { createPost } from "../../domain/posts.js";
import { requireUser, setUserClaims, toUserView } from "../../domain/users.js";
import { sessionOf, subjectOf } from "../context.js";
import type { MutationResolvers } from "../generated/resolvers-types.js";

export const Mutation: MutationResolvers = {
  register: (_root, args, context) => context.services.accounts.register(args.email, args.password, context.client),
  login: (_root, args, context) => context.services.accounts.login(args.email, args.password, context.client),
  refresh: (_root, args, context) => context.services.sessions.refresh(args.refreshToken, context.client),
  logout: async (_root, args, context) => {
    await context.services.sessions.logout(args.refreshToken);
    return true;
  },
  logoutAll: (_root, _args, context) => context.services.sessions.revokeAll(subjectOf(context), "logout_all"),
  revokeSession: async (_root, args, context) => {
    await context.services.sessions.revoke(subjectOf(context), args.sessionId, "revoked_by_user");
    return true;
  },
  changePassword: (_root, args, context) =>
    context.services.accounts.changePassword({
      userId: subjectOf(context),
      currentSessionId: sessionOf(context),
      currentPassword: args.currentPassword,
      newPassword: args.newPassword,
      client: context.client,
    }),
  createPost: (_root, args, context) => createPost(context.services.db, subjectOf(context), args.input),
  setUserClaims: async (_root, args, context) =>
    toUserView(await setUserClaims(context.services.db, args.userId, args.claims)),
  setUserDisabled: async (_root, args, context) => toUserView((await context.services.accounts.setDisabled(args.userId, args.disabled)).user),
  deleteUser: async (_root, args, context) => {
    await context.services.accounts.delete(args.userId);
    return true;
  },
  revokeUserSessions: async (_root, args, context) => {
    await requireUser(context.services.db, args.userId);
    return context.services.sessions.revokeAll(args.userId, "revoked_by_admin");
  },
};

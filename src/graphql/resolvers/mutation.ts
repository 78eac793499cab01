import type { AuditActor } from "../../domain/audit-log.js";
import { createPost } from "../../domain/posts.js";
import { toUserView } from "../../domain/users.js";
import { type GraphQLContext, sessionOf, subjectOf } from "../context.js";
import type { MutationResolvers } from "../generated/resolvers-types.js";

/** The administrator making a change, for the audit log. */
const adminOf = (context: GraphQLContext): AuditActor => ({ kind: "admin", id: subjectOf(context) });

export const Mutation: MutationResolvers = {
  register: (_root, args, context) => context.services.accounts.register(args.email, args.password, context.client),
  verifyEmail: (_root, args, context) => context.services.accounts.verifyEmail(args.token, context.client),
  login: (_root, args, context) => context.services.accounts.login(args.email, args.password, context.client, args.deviceToken),
  requestPasswordReset: (_root, args, context) => context.services.accounts.requestPasswordReset(args.email, context.client),
  resetPassword: (_root, args, context) => context.services.accounts.resetPassword(args.token, args.newPassword, context.client),
  refresh: (_root, args, context) => context.services.sessions.refresh(args.refreshToken, context.client),
  logout: async (_root, args, context) => {
    await context.services.sessions.logout(args.refreshToken);
    return true;
  },
  logoutAll: (_root, _args, context) => context.services.accounts.logoutAll(subjectOf(context)),
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
  setUserClaims: async (_root, args, context) => toUserView(await context.services.accounts.setClaims(adminOf(context), args.userId, args.claims)),
  setUserDisabled: async (_root, args, context) =>
    toUserView((await context.services.accounts.setDisabled(adminOf(context), args.userId, args.disabled)).user),
  deleteUser: async (_root, args, context) => {
    await context.services.accounts.delete(adminOf(context), args.userId);
    return true;
  },
  revokeUserSessions: (_root, args, context) => context.services.accounts.revokeUserSessions(adminOf(context), args.userId),
  createRole: (_root, args, context) => context.services.roles.create(adminOf(context), args.name, args.input),
  updateRole: (_root, args, context) => context.services.roles.update(adminOf(context), args.name, args.input),
  deleteRole: async (_root, args, context) => {
    await context.services.roles.delete(adminOf(context), args.name);
    return true;
  },
  grantRole: async (_root, args, context) => toUserView(await context.services.roles.setGranted(adminOf(context), args.userId, args.role, true)),
  revokeRole: async (_root, args, context) => toUserView(await context.services.roles.setGranted(adminOf(context), args.userId, args.role, false)),
};

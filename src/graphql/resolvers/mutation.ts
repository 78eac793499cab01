import type { AuditActor } from "../../domain/audit-log.js";
import { createPost } from "../../domain/posts.js";
import { toUserView } from "../../domain/users.js";
import { DomainError } from "../../domain/domain-error.js";
import { type GraphQLContext, sessionOf, subjectOf } from "../context.js";
import { cookieMode, deliverTokens, presentedRefreshToken } from "../refresh-token-delivery.js";
import type { MutationResolvers } from "../generated/resolvers-types.js";

/** The administrator making a change, for the audit log. */
const adminOf = (context: GraphQLContext): AuditActor => ({ kind: "admin", id: subjectOf(context) });

export const Mutation: MutationResolvers = {
  register: async (_root, args, context) => {
    const jar = cookieMode(context);
    const result = await context.services.accounts.register(args.email, args.password, context.client);
    return result.auth === null ? result : { status: result.status, auth: deliverTokens(jar, result.auth) };
  },
  verifyEmail: async (_root, args, context) => {
    const jar = cookieMode(context);
    return deliverTokens(jar, await context.services.accounts.verifyEmail(args.token, context.client));
  },
  login: async (_root, args, context) => {
    // Checked first: a refused origin must not cost a login attempt or leave a session behind.
    const jar = cookieMode(context);
    const result = await context.services.accounts.login(args.email, args.password, context.client, args.deviceToken);
    return { ...deliverTokens(jar, result), deviceToken: result.deviceToken };
  },
  requestPasswordReset: (_root, args, context) => context.services.accounts.requestPasswordReset(args.email, context.client),
  resetPassword: (_root, args, context) => context.services.accounts.resetPassword(args.token, args.newPassword, context.client),
  refresh: async (_root, args, context) => {
    const { token, jar } = presentedRefreshToken(context, args.refreshToken);
    return deliverTokens(jar, await context.services.sessions.refresh(token, context.client));
  },
  logout: async (_root, args, context) => {
    const { token, jar } = presentedRefreshToken(context, args.refreshToken);
    await context.services.sessions.logout(token);
    jar?.clear();
    return true;
  },
  logoutAll: async (_root, _args, context) => {
    const ended = await context.services.accounts.logoutAll(subjectOf(context));
    // The cookie belonged to one of the sessions that just ended.
    if (context.refreshCookie?.read() != null && context.refreshCookie.refusal === null) context.refreshCookie.clear();
    return ended;
  },
  renewConnection: async (_root, args, context) => {
    if (context.connection === null) {
      throw new DomainError(
        "BAD_REQUEST",
        "WEBSOCKET_ONLY",
        "renewConnection renews a WebSocket connection's token; over HTTP, send the new token in the Authorization header.",
      );
    }
    await context.connection.renew(args.accessToken);
    return true;
  },
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
  createPost: async (_root, args, context) => {
    const post = await createPost(context.services.db, subjectOf(context), args.input);
    context.services.postFeed.publish(post);
    return post;
  },
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

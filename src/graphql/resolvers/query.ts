import { listAuditEvents } from "../../domain/audit-log.js";
import { findPost, listDrafts, listPublishedPosts } from "../../domain/posts.js";
import { listUsers, requireUser, toUserView } from "../../domain/users.js";
import { subjectOf } from "../context.js";
import type { QueryResolvers } from "../generated/resolvers-types.js";

export const Query: QueryResolvers = {
  viewer: (_root, _args, context) => context.auth,
  me: async (_root, _args, context) => toUserView(await requireUser(context.services.db, subjectOf(context))),
  posts: (_root, args, context) => listPublishedPosts(context.services.db, args.first ?? 20),
  post: (_root, args, context) => findPost(context.services.db, args.id),
  drafts: (_root, args, context) => listDrafts(context.services.db, args.authorId),
  users: async (_root, _args, context) => (await listUsers(context.services.db)).map(toUserView),
  sessions: (_root, _args, context) => context.services.sessions.list(subjectOf(context)),
  roles: (_root, _args, context) => context.services.roles.list(),
  auditLog: (_root, args, context) => listAuditEvents(context.services.db, { first: args.first ?? 50, userId: args.userId ?? null }),
};

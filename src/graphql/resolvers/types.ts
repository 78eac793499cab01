import { rejectionOf } from "../../auth/caller.js";
import { listPostsBy } from "../../domain/posts.js";
import { rolesOf } from "../../domain/roles.js";
import { sessionOf } from "../context.js";
import type { SessionResolvers, UserResolvers, ViewerResolvers } from "../generated/resolvers-types.js";

const fromEpochSeconds = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000));

export const Viewer: ViewerResolvers = {
  authenticated: (principal) => principal.claims !== null,
  subject: (principal) => principal.claims?.sub ?? null,
  issuer: (principal) => (typeof principal.claims?.iss === "string" ? principal.claims.iss : null),
  external: (principal) => principal.issuer !== undefined,
  claims: (principal) => principal.claims,
  issuedAt: (principal) => fromEpochSeconds(principal.claims?.iat),
  expiresAt: (principal) => fromEpochSeconds(principal.claims?.exp),
  tokenError: (principal) => rejectionOf(principal),
};

export const Session: SessionResolvers = {
  current: (session, _args, context) => session.id === sessionOf(context),
};

export const User: UserResolvers = {
  posts: (user, _args, context) => listPostsBy(context.services.db, user.id),
  roles: (user, _args, context) => rolesOf(context.services.db, user.id),
};

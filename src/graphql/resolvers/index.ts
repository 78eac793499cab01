import { DateTimeScalar, JSONScalar } from "../scalars.js";
import type { Resolvers } from "../generated/resolvers-types.js";
import { Mutation } from "./mutation.js";
import { Query } from "./query.js";
import { Subscription } from "./subscription.js";
import { Session, User, Viewer } from "./types.js";

export const resolvers: Resolvers = { Query, Mutation, Subscription, Viewer, User, Session, JSON: JSONScalar, DateTime: DateTimeScalar };

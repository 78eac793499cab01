import { DateTimeScalar, JSONScalar } from "../scalars.js";
import type { Resolvers } from "../generated/resolvers-types.js";
import { Mutation } from "./mutation.js";
import { Query } from "./query.js";
import { User, Viewer } from "./types.js";

export const resolvers: Resolvers = { Query, Mutation, Viewer, User, JSON: JSONScalar, DateTime: DateTimeScalar };

// The comparison point for the HTTP benchmark: Apollo Server on Express serving the same
// schema.graphql and resolvers over the same database, with no authorization at all.
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { makeExecutableSchema } from "@graphql-tools/schema";
import express from "express";
import { pino } from "pino";
import { ANONYMOUS } from "../src/auth/caller.js";
import { loadConfig } from "../src/config/load-config.js";
import { readTypeDefs } from "../src/graphql/build-schema.js";
import type { GraphQLContext } from "../src/graphql/context.js";
import { resolvers } from "../src/graphql/resolvers/index.js";
import { createServices } from "../src/server/create-services.js";

const config = loadConfig();
const services = await createServices({ config: { ...config, seedDemoUsers: false }, logger: pino({ level: "silent" }), clock: () => new Date() });
const { db, accounts, sessions, roles, clock } = services;
const apollo = new ApolloServer<GraphQLContext>({ schema: makeExecutableSchema({ typeDefs: readTypeDefs(), resolvers }) });
await apollo.start();
const app = express();
app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
app.use(
  "/graphql",
  express.json(),
  expressMiddleware(apollo, {
    context: async () => ({ auth: ANONYMOUS, services: { db, accounts, sessions, roles, clock, postFeed: services.postFeed }, client: {}, requestId: "bare", refreshCookie: null, connection: null }),
  }),
);
http.createServer(app).listen(config.port, "127.0.0.1");

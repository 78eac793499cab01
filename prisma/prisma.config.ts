// Configuration for the Prisma CLI (`prisma generate`, and `prisma migrate deploy`
// on machines that have Prisma's native schema engine). The server itself applies
// migrations with the WebAssembly engine (src/db/apply-migrations.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "file:../data/claimgate.db" },
});

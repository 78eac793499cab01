// Configuration for the Prisma CLI on PostgreSQL (`prisma generate`, and `prisma migrate deploy`
// on machines that have Prisma's native schema engine). schema.prisma here is generated from
// ../schema.prisma by `npm run generate`; the server applies prisma/postgres/migrations itself.
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL;
export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: url && /^postgres(ql)?:\/\//.test(url) ? url : "postgresql://localhost:5432/claimgate" },
});

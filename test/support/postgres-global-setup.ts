// vitest globalSetup for the PostgreSQL pass (CLAIMGATE_TEST_DATABASE=postgres): one throwaway
// cluster per run, and a template database with every migration applied, from which each test
// server's database is cloned (test-database.ts). Stopped and deleted when the run ends.
import pg from "pg";
import { applyMigrations } from "../../src/db/migrations.js";
import { startThrowawayCluster } from "../../src/db/throwaway-postgres.js";

export const TEMPLATE_DATABASE = "claimgate_template";

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env["CLAIMGATE_TEST_DATABASE"] !== "postgres") return undefined;
  const cluster = await startThrowawayCluster();
  try {
    const admin = new pg.Client(cluster.urlFor("postgres"));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
    await admin.end();
    await applyMigrations({ databaseUrl: cluster.urlFor(TEMPLATE_DATABASE) });
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  // Workers (and the server processes they spawn) are started after this and inherit it.
  process.env["CLAIMGATE_TEST_POSTGRES_URL"] = cluster.urlFor("postgres");
  process.env["CLAIMGATE_TEST_POSTGRES_TEMPLATE"] = TEMPLATE_DATABASE;
  return () => cluster.destroy();
}

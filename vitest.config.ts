import { defineConfig } from "vitest/config";
import { DATABASE_FREE_FILES, SQLITE_ONLY_FILES } from "./test/support/sqlite-only-files.js";

const onPostgres = process.env["CLAIMGATE_TEST_DATABASE"] === "postgres";

export default defineConfig({
  // graphql ships both ESM and CJS builds; @graphql-tools loads the CJS one, so the tests must
  // too, or graphql's instanceof checks see two copies of every class.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    // test/guide performs README walkthroughs on a copy of the repository: slow, so apart
    // (`npm run test:guide`, which .ci/run runs).
    include: process.env["CLAIMGATE_TEST_GUIDE"] ? ["test/guide/**/*.test.ts"] : ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
    // CLAIMGATE_TEST_DATABASE=postgres: one throwaway PostgreSQL cluster for the run, and the
    // tests of the SQLite file and those without a database left out (test/run.ts says which and why).
    ...(onPostgres ? { exclude: [...Object.keys(SQLITE_ONLY_FILES), ...Object.keys(DATABASE_FREE_FILES)] } : {}),
    globalSetup: ["test/support/postgres-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start a server on its own SQLite file; two cores, two workers.
    maxWorkers: 2,
    // A worker runs file after file without re-importing the server's modules for each (a
    // quarter of the run's CPU was imports). Files share no state but what src keeps per
    // process anyway (caches, counters read as differences), and each stops what it starts.
    // The README walkthroughs (test/guide) keep a fresh worker per file, as before.
    isolate: Boolean(process.env["CLAIMGATE_TEST_GUIDE"]),
  },
});

// Test files about the SQLite file itself, left out of the PostgreSQL pass (test/run.ts prints
// this list when it runs that pass). Single tests of other files skip with itOnSqlite instead.
export const SQLITE_ONLY_FILES: Readonly<Record<string, string>> = {
  "test/integration/storage-faults.test.ts":
    "faults of the SQLite file (read-only, disk full, deleted, replaced, lost); PostgreSQL's own outage is postgres-outage.test.ts",
  "test/integration/private-files.test.ts": "file modes of the SQLite database; PostgreSQL keeps its files in its own data directory",
};

// Test files that open no database at all: the PostgreSQL pass would run them exactly as the
// SQLite pass did, so it leaves them out too (test/run.ts prints this list beside the other).
export const DATABASE_FREE_FILES: Readonly<Record<string, string>> = {
  "test/integration/authz-tools.test.ts": "authz check and diff read schema files only",
  "test/integration/remote-key-set.test.ts": "RemoteKeySet against an HTTP key provider, no server or database",
};

import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { describe, expect, it } from "vitest";
import { faultOfPostgresCode, findDatabaseFault } from "../../src/db/database-fault.js";
import { POSTGRES_CONNECT_TIMEOUT_MS, postgresPoolConfig } from "../../src/db/postgres-database.js";

describe("PostgreSQL faults", () => {
  it("maps SQLSTATEs to what an operator can act on", () => {
    expect(faultOfPostgresCode("57P01")).toMatchObject({ kind: "unavailable", reason: "DATABASE_UNAVAILABLE" });
    expect(faultOfPostgresCode("08006")?.kind).toBe("unavailable");
    expect(faultOfPostgresCode("53300")?.kind).toBe("unavailable");
    expect(faultOfPostgresCode("40001")).toMatchObject({ kind: "locked", transient: true });
    expect(faultOfPostgresCode("40P01")?.kind).toBe("locked");
    expect(faultOfPostgresCode("25006")?.kind).toBe("read_only");
    expect(faultOfPostgresCode("53100")?.kind).toBe("disk_full");
    expect(faultOfPostgresCode("XX001")?.kind).toBe("corrupt");
    // lock_timeout (DB_BUSY_TIMEOUT) like SQLite's busy timeout; statement_timeout (DB_STATEMENT_TIMEOUT).
    expect(faultOfPostgresCode("55P03")).toMatchObject({ kind: "locked", reason: "DATABASE_LOCKED", transient: true, retryAfterSeconds: 1 });
    expect(faultOfPostgresCode("57014")).toMatchObject({ kind: "unavailable", reason: "DATABASE_UNAVAILABLE" });
    expect(faultOfPostgresCode("23505")).toBeNull();
    expect(faultOfPostgresCode("42P01")).toBeNull();
  });

  it("finds an unreachable server however the adapter and Prisma wrapped it", () => {
    const refused = new DriverAdapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 });
    expect(findDatabaseFault(refused)?.kind).toBe("unavailable");
    const prisma = Object.assign(new Error("Database error"), { code: "P1001", meta: { driverAdapterError: refused } });
    expect(findDatabaseFault(prisma)?.kind).toBe("unavailable");
    expect(findDatabaseFault(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))?.kind).toBe("unavailable");
    expect(findDatabaseFault(new Error("timeout exceeded when trying to connect"))?.kind).toBe("unavailable");
    // pg's query_timeout: no answer at all (a network partition).
    expect(findDatabaseFault(new Error("Query read timeout"))?.kind).toBe("unavailable");
    const shutdown = new DriverAdapterError({ kind: "postgres", code: "57P01", severity: "FATAL", message: "terminating connection due to administrator command", detail: undefined, column: undefined, hint: undefined, originalCode: "57P01" });
    expect(findDatabaseFault(shutdown)?.kind).toBe("unavailable");
    expect(findDatabaseFault(new DriverAdapterError({ kind: "UniqueConstraintViolation", constraint: { fields: ["email"] } }))).toBeNull();
  });

  it("bounds lock waits and statements on the request pool only when asked, and waits for a free connection longer than a lock", () => {
    const url = "postgresql://u:p@db.internal:5432/claimgate";
    const bare = postgresPoolConfig(url);
    expect(bare).not.toHaveProperty("lock_timeout");
    expect(bare).not.toHaveProperty("statement_timeout");
    expect(bare).not.toHaveProperty("query_timeout");
    expect(bare.connectionTimeoutMillis).toBe(POSTGRES_CONNECT_TIMEOUT_MS);
    const bounded = postgresPoolConfig(url, { lockTimeoutMs: 5000, statementTimeoutMs: 30_000 });
    expect(bounded).toMatchObject({ lock_timeout: 5000, statement_timeout: 30_000, connectionTimeoutMillis: 6000 });
    expect(bounded.query_timeout).toBeGreaterThan(30_000);
    expect(postgresPoolConfig(url, { lockTimeoutMs: 0, statementTimeoutMs: 0 })).toMatchObject({ lock_timeout: 1, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
    expect(postgresPoolConfig(url, { statementTimeoutMs: 0 })).not.toHaveProperty("statement_timeout");
  });
});

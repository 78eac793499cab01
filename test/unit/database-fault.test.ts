import { DriverAdapterError } from "@prisma/driver-adapter-utils";
import { describe, expect, it } from "vitest";
import { DatabaseFaultError, databaseFault, faultOfSqliteCode, findDatabaseFault } from "../../src/db/database-fault.js";
import { DeadlineLock } from "../../src/db/deadline-lock.js";

describe("faultOfSqliteCode", () => {
  it("maps SQLite's primary and extended codes to what an operator can act on", () => {
    expect(faultOfSqliteCode("SQLITE_BUSY")).toMatchObject({ kind: "locked", reason: "DATABASE_LOCKED", transient: true, retryAfterSeconds: 1 });
    expect(faultOfSqliteCode("SQLITE_BUSY_SNAPSHOT")?.kind).toBe("locked");
    expect(faultOfSqliteCode("SQLITE_READONLY_DBMOVED")).toMatchObject({ kind: "read_only", reason: "DATABASE_READ_ONLY" });
    expect(faultOfSqliteCode("SQLITE_FULL")).toMatchObject({ kind: "disk_full", reason: "DATABASE_DISK_FULL" });
    expect(faultOfSqliteCode("SQLITE_IOERR_WRITE")?.kind).toBe("io");
    expect(faultOfSqliteCode("SQLITE_CANTOPEN")?.kind).toBe("unavailable");
    expect(faultOfSqliteCode("SQLITE_NOTADB")?.kind).toBe("corrupt");
    expect(faultOfSqliteCode("SQLITE_CONSTRAINT_UNIQUE")).toBeNull();
  });
});

describe("findDatabaseFault", () => {
  it("finds the fault however Prisma wrapped the driver's error", () => {
    const driver = new DriverAdapterError({ kind: "sqlite", extendedCode: 13, message: "database or disk is full", originalCode: "SQLITE_FULL" });
    expect(findDatabaseFault(driver)?.kind).toBe("disk_full");
    const prismaKnown = Object.assign(new Error("Database error"), { code: "P2039", meta: { driverAdapterError: driver } });
    expect(findDatabaseFault(prismaKnown)?.kind).toBe("disk_full");
    const wrapped = Object.assign(new Error("resolver failed"), { originalError: prismaKnown });
    expect(findDatabaseFault(wrapped)?.kind).toBe("disk_full");
    expect(findDatabaseFault(Object.assign(new Error("SqliteError"), { code: "SQLITE_READONLY" }))?.kind).toBe("read_only");
    expect(findDatabaseFault(new DatabaseFaultError(databaseFault("io", "SQLITE_IOERR"), "io"))?.kind).toBe("io");
    expect(findDatabaseFault(Object.assign(new Error("Transaction API error"), { code: "P2028" }))?.kind).toBe("locked");
  });

  it("is null for everything else, including unique-constraint violations", () => {
    expect(findDatabaseFault(new Error("boom"))).toBeNull();
    expect(findDatabaseFault(Object.assign(new Error("Unique"), { code: "P2002", meta: { driverAdapterError: { cause: { originalCode: "SQLITE_CONSTRAINT_UNIQUE" } } } }))).toBeNull();
    expect(findDatabaseFault("text")).toBeNull();
    const cyclic: Record<string, unknown> = {};
    cyclic["cause"] = cyclic;
    expect(findDatabaseFault(cyclic)).toBeNull();
  });
});

describe("DeadlineLock", () => {
  it("grants in arrival order, one holder at a time", async () => {
    const lock = new DeadlineLock();
    const order: number[] = [];
    const far = Date.now() + 60_000;
    const first = await lock.acquire(far, () => new Error("timeout"));
    const waiting = [1, 2, 3].map((n) =>
      lock.acquire(far, () => new Error("timeout")).then((release) => {
        order.push(n);
        release();
      }),
    );
    expect(lock.held).toBe(true);
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(lock.held).toBe(false);
  });

  it("a waiter past its deadline gives up with the caller's error and leaves the queue", async () => {
    const lock = new DeadlineLock();
    const release = await lock.acquire(Date.now() + 60_000, () => new Error("timeout"));
    await expect(lock.acquire(Date.now() - 1, () => new Error("gave up"))).rejects.toThrow("gave up");
    release();
    expect(lock.held).toBe(false);
  });
});

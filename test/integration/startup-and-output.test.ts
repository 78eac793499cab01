// What an operator and a developer see: one-line startup failures naming the setting, error
// bodies without stack traces unless DEBUG_ERRORS=1, readable or JSON logs, and an
// introspection refusal that names INTROSPECTION.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { once } from "node:events";
import { Writable } from "node:stream";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { createLogger } from "../../src/server/logger.js";
import { startServer } from "../../src/server/start-server.js";
import { describeStartupFailure } from "../../src/server/describe-startup-failure.js";
import { describeDatabaseStartupFailure, describeMigrationConflict, isDatabaseFilePath } from "../../src/db/describe-database-failure.js";
import { INTROSPECTION_DISABLED_MESSAGE } from "../../src/server/introspection-disabled-rule.js";
import { startServerProcess } from "../support/server-process.js";
import { firstError, startTestServer } from "../support/test-server.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "claimgate-startup-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const config = { host: "127.0.0.1", port: 4000, dataDir: "/var/lib/claimgate", databaseUrl: "file:/var/lib/claimgate/claimgate.db" };
const errno = (code: string, fields: Record<string, unknown>) => Object.assign(new Error(`${code}: something`), { code, ...fields });

describe("startup failures: one line, naming the setting", () => {
  it("describes file, port and database problems; leaves bugs alone", () => {
    expect(describeStartupFailure(errno("EACCES", { syscall: "mkdir", path: "/var/lib/claimgate" }), config)).toBe(
      "cannot create the folder /var/lib/claimgate (permission denied): set DATA_DIR to a folder this user can write, or change that folder's permissions.",
    );
    expect(describeStartupFailure(errno("EROFS", { syscall: "open", path: "/srv/db/x.db" }), { ...config, databaseUrl: "file:/srv/db/x.db" })).toBe(
      "cannot write /srv/db/x.db (the file system is read-only): set DATABASE_URL to a folder this user can write, or change that folder's permissions.",
    );
    expect(describeStartupFailure(errno("EADDRINUSE", { syscall: "listen" }), config)).toBe(
      "127.0.0.1:4000 is already in use: set PORT to a free port, or stop the process that holds it.",
    );
    expect(describeStartupFailure(errno("EACCES", { syscall: "listen" }), { ...config, port: 80 })).toBe(
      "not permitted to listen on 127.0.0.1:80: set PORT to 1024 or above (lower ports need extra privileges).",
    );
    const wrapped = new Error("driver failed", { cause: Object.assign(new Error("file is not a database"), { code: "SQLITE_NOTADB" }) });
    expect(describeStartupFailure(wrapped, config)).toBe(
      "the database /var/lib/claimgate/claimgate.db is not a SQLite database (SQLITE_NOTADB): set DATABASE_URL to another file (or DATA_DIR to another folder), or move this one away to start afresh.",
    );
    expect(describeStartupFailure(new TypeError("x is not a function"), config)).toBeNull();
  });

  it("the database layer alone knows the database: SQLite's codes and files, PostgreSQL's refusals (the CLI uses it too)", () => {
    const notADatabase = new Error("driver failed", { cause: Object.assign(new Error("file is not a database"), { code: "SQLITE_NOTADB" }) });
    expect(describeDatabaseStartupFailure(notADatabase, "file:/srv/db/x.db")).toBe(
      "the database /srv/db/x.db is not a SQLite database (SQLITE_NOTADB): set DATABASE_URL to another file (or DATA_DIR to another folder), or move this one away to start afresh.",
    );
    // Named only in the message, as some driver errors do.
    expect(describeDatabaseStartupFailure(new Error("SqliteError: SQLITE_CORRUPT: database disk image is malformed"), "file:/srv/db/x.db")).toMatch(/is damaged \(SQLITE_CORRUPT\)/);
    expect(describeDatabaseStartupFailure(notADatabase, "postgresql://claimgate@db.internal:5432/claimgate")).toBeNull();
    expect(isDatabaseFilePath("/srv/db/x.db-wal", "file:/srv/db/x.db")).toBe(true);
    expect(isDatabaseFilePath("/srv/keys/ring.json", "file:/srv/db/x.db")).toBe(false);
    expect(isDatabaseFilePath("/srv/db/x.db", "postgresql://claimgate@db.internal:5432/claimgate")).toBe(false);
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    expect(describeMigrationConflict(busy, "file:/srv/db/x.db")).toMatch(/^the database \/srv\/db\/x.db has migrations to apply/);
    expect(describeMigrationConflict(busy, "postgresql://claimgate@db.internal:5432/claimgate")).toBeNull();
  });

  it("the real process prints exactly one line, without a stack", async () => {
    const file = join(scratch, "a-file");
    await writeFile(file, "not a folder");
    const failure = await startServerProcess({ NODE_ENV: "development", JWT_SECRET: "", LOG_LEVEL: "silent", DATA_DIR: join(file, "data") }).then(
      () => "started",
      (error: Error) => error.message,
    );
    expect(failure).toBe(
      `server exited with 1:\nclaimgate cannot start: cannot create the folder ${join(file, "data")} (part of the path is a file, not a folder): set DATA_DIR to a folder this user can write, or change that folder's permissions.`,
    );
  });

  it("describes what startup really throws for a foreign database file and a taken port", async () => {
    const notADatabase = join(scratch, "not-a-database");
    await mkdir(notADatabase);
    await writeFile(join(notADatabase, "claimgate.db"), "this is not SQLite ".repeat(20));
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const takenPort = (taken.address() as { port: number }).port;
    const start = async (env: Record<string, string>) => {
      const config = parseConfig({ NODE_ENV: "test", JWT_SECRET: randomBytes(48).toString("base64url"), LOG_LEVEL: "silent", ...env });
      const error = await startServer({ config }).then(
        async (server) => {
          await server.stop();
          return new Error("started");
        },
        (failure: unknown) => failure,
      );
      return describeStartupFailure(error, config);
    };
    try {
      expect(await start({ DATA_DIR: notADatabase })).toBe(
        `the database ${join(notADatabase, "claimgate.db")} is not a SQLite database (SQLITE_NOTADB): set DATABASE_URL to another file (or DATA_DIR to another folder), or move this one away to start afresh.`,
      );
      expect(await start({ DATA_DIR: join(scratch, "fine"), HOST: "127.0.0.1", PORT: String(takenPort) })).toBe(
        `127.0.0.1:${takenPort} is already in use: set PORT to a free port, or stop the process that holds it.`,
      );
    } finally {
      taken.close();
    }
  });
});

describe("error bodies and introspection", () => {
  it("development error bodies carry no stack trace unless DEBUG_ERRORS=1", async () => {
    for (const [debug, stack] of [["0", false], ["1", true]] as const) {
      const t = await startTestServer({ NODE_ENV: "development", DEBUG_ERRORS: debug });
      try {
        const response = await t.gql("{ me { email } }");
        expect(firstError(response)).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING_TOKEN" });
        expect(Array.isArray(response.body.errors![0]!.extensions!["stacktrace"])).toBe(stack);
      } finally {
        await t.stop();
      }
    }
  });

  it("refusing introspection names the INTROSPECTION setting; __typename still works", async () => {
    const t = await startTestServer({ INTROSPECTION: "false", SANDBOX: "false" });
    try {
      const refused = await t.gql("{ __schema { queryType { name } } }");
      expect(refused.status).toBe(400);
      expect(firstError(refused)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", message: INTROSPECTION_DISABLED_MESSAGE });
      expect(INTROSPECTION_DISABLED_MESSAGE).toContain("set INTROSPECTION=true");
      expect((await t.gql('{ __type(name: "Post") { name } }')).status).toBe(400);
      expect((await t.gql("{ __typename }")).body).toEqual({ data: { __typename: "Query" } });
    } finally {
      await t.stop();
    }
  });
});

describe("logs", () => {
  function capture(format: "auto" | "pretty" | "json", terminal: boolean) {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ logLevel: "info", logFormat: format }, { terminal, destination });
    logger.info({ event: "server_started", password: "hunter2-hunter2" }, "claimgate is serving GraphQL");
    return lines.join("");
  }

  it("are JSON lines unless stdout is a terminal or LOG_FORMAT=pretty; secrets are redacted either way", () => {
    const json = JSON.parse(capture("auto", false));
    expect(json).toMatchObject({ level: 30, msg: "claimgate is serving GraphQL", event: "server_started", password: "[redacted]" });
    expect(capture("pretty", false)).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: claimgate is serving GraphQL \{"event":"server_started","password":"\[redacted\]"\}\n$/);
    expect(capture("auto", true)).toContain("claimgate is serving GraphQL");
    expect(() => JSON.parse(capture("auto", true))).toThrow();
    expect(JSON.parse(capture("json", true))).toMatchObject({ msg: "claimgate is serving GraphQL" });
  });
});

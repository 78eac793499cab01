// Findings 3 and 4 of "Storage that never loses an acknowledged write": a database that cannot
// take writes (read-only, disk full, file deleted) turns /readyz red with the reason, writes get
// 503 SERVICE_UNAVAILABLE, and the server recovers by itself once the fault is fixed.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { postGraphQL, startServerProcess, type ServerProcess } from "../support/server-process.js";
import { ALICE, startTestServer, type TestServer } from "../support/test-server.js";

const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;
const CREATE = `mutation ($title: String!, $body: String! = ".") { createPost(input: { title: $title, body: $body }) { id } }`;

/** Waits for a log line: the server's output arrives through a pipe, a little after its response. */
async function logged(server: ServerProcess, pattern: RegExp): Promise<void> {
  const started = Date.now();
  while (!server.output.some((line) => pattern.test(line))) {
    if (Date.now() - started > 5000) throw new Error(`no log line matches ${pattern}:\n${server.output.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readiness(url: string) {
  const response = await fetch(new URL("/readyz", url));
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string; fault?: string } };
}

const NOBODY = 65534;
const runningAsRoot = process.getuid?.() === 0;
// As root, file modes stop nothing: the server then runs as an unprivileged user (nobody).
// Any other user is stopped by the modes themselves.
const serverUser = runningAsRoot ? { uid: NOBODY, gid: NOBODY } : {};
// A private mount namespace: as root directly, otherwise inside a user namespace (-U -r).
const UNSHARE = runningAsRoot ? ["unshare", "-m", "--propagation", "private"] : ["unshare", "-U", "-r", "-m", "--propagation", "private"];
const canUnshare = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"]).status === 0;

// As root the server runs as nobody, who must be able to run this Node and read the project
// (not so with Node under /root, e.g. nvm): otherwise the test says why it is skipped.
const nobodyCanRun =
  !runningAsRoot || spawnSync(process.execPath, ["-e", "require('node:fs').accessSync(process.argv[1])", join(PROJECT_ROOT, "src/main.ts")], serverUser).status === 0;

describe.skipIf(!nobodyCanRun)(
  `a database the server can only read${nobodyCanRun ? "" : ` (skipped: the user nobody cannot run ${process.execPath} or read ${PROJECT_ROOT}; CI makes both reachable)`}`,
  () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "claimgate-readonly-"));
    if (runningAsRoot) chownSync(dataDir, NOBODY, NOBODY);
    env = { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true", LOG_LEVEL: "info" };
    // First run: migrate and seed, as that user.
    const first = await startServerProcess(env, serverUser);
    expect((await readiness(first.url)).status).toBe(200);
    expect(await first.stop()).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("/readyz says read-only, writes get 503 DATABASE_READ_ONLY, and fixing the mode heals it without a restart", async () => {
    const file = join(dataDir, "claimgate.db");
    // The file is not writable when the server starts: SQLite silently opens it read-only.
    chmodSync(file, 0o444);
    server = await startServerProcess({ ...env, SEED_DEMO_USERS: "false" }, serverUser);

    const ready = await readiness(server.url);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", fault: "read_only", reason: expect.stringMatching(/read-only/) });

    // Logging in writes a session: refused with 503, not a 200 that hides the fault.
    const refused = await postGraphQL(server.url, LOGIN, { variables: { e: ALICE.email, p: ALICE.password } });
    expect(refused.status).toBe(503);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_READ_ONLY", requestId: expect.any(String) });
    // The driver's own code, whichever database it is (here SQLite's result code).
    await logged(server, /"event":"database_fault".*"fault":"read_only".*"databaseCode":"SQLITE_READONLY/);
    await logged(server, /"event":"request".*"status":503.*"errorCodes":\["SERVICE_UNAVAILABLE"\]/);

    // The operator fixes the modes: of the file and of the -wal and -shm files SQLite created with the same mode.
    for (const suffix of ["", "-wal", "-shm"]) chmodSync(file + suffix, 0o644);
    expect(await readiness(server.url)).toEqual({ status: 200, body: { status: "ready" } });
    const login = await postGraphQL(server.url, LOGIN, { variables: { e: ALICE.email, p: ALICE.password } });
    expect(login.status).toBe(200);
    const created = await postGraphQL(server.url, CREATE, { token: login.body.data.login.accessToken, variables: { title: "after read-only" } });
    expect(created.status).toBe(200);
    await logged(server, /"event":"database_reopened"/);
    await logged(server, /"event":"readiness_changed","ready":false,"fault":"read_only"/);
    await logged(server, /"event":"readiness_changed","ready":true/);
  }, 60_000);
});

describe.skipIf(!canUnshare)(`a full disk${canUnshare ? "" : " (skipped: this machine permits no private mount namespace, neither as root nor in a user namespace)"}`, () => {
  // A 4 MB tmpfs in the server's own mount namespace (`unshare -m`), filled from outside through
  // /proc/<pid>/root.
  let dataDir: string;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("/readyz says the disk is full, writes get 503 DATABASE_DISK_FULL, and freeing space heals it", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "claimgate-full-"));
    server = await startServerProcess(
      { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true", LOG_LEVEL: "info" },
      { wrap: [...UNSHARE, "sh", "-c", `mount -t tmpfs -o size=4m tmpfs '${dataDir}' && exec "$0" "$@"`] },
    );
    const inside = `/proc/${server.child.pid}/root${dataDir}`;
    const login = await postGraphQL(server.url, LOGIN, { variables: { e: ALICE.email, p: ALICE.password } });
    const token = login.body.data.login.accessToken as string;
    expect((await postGraphQL(server.url, CREATE, { token, variables: { title: "before" } })).status).toBe(200);

    // Fill every remaining byte.
    const filler = join(inside, "filler");
    const fd = openSync(filler, "w");
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
    } finally {
      closeSync(fd);
    }

    const ready = await readiness(server.url);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", fault: "disk_full", reason: expect.stringMatching(/disk .* is full/) });

    // SQLite reuses the WAL's space for a while; writes fail as soon as it needs more.
    let refused: Awaited<ReturnType<typeof postGraphQL>> | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const response = await postGraphQL(server.url, CREATE, { token, variables: { title: `while full ${i}`, body: "x".repeat(4000) } });
      if (response.status !== 200) refused = response;
    }
    if (!refused) console.log(server.output.slice(-5).join("\n"));
    expect(refused?.status).toBe(503);
    expect(refused!.body.errors![0]!.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_DISK_FULL" });

    rmSync(filler);
    expect(await readiness(server.url)).toEqual({ status: 200, body: { status: "ready" } });
    expect((await postGraphQL(server.url, CREATE, { token, variables: { title: "after" } })).status).toBe(200);
  }, 60_000);
});

describe("a database file deleted under the running server", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it("/readyz says deleted, writes get 503 instead of vanishing into the unlinked file, and restoring the file heals it", async () => {
    const file = join(t.dataDir, "claimgate.db");
    const { accessToken } = await t.login(ALICE.email, ALICE.password);
    const backup = join(t.dataDir, "backup.db");
    const external = new Sqlite(file);
    external.prepare("VACUUM INTO ?").run(backup);
    external.close();

    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    const ready = await readiness(t.url);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "not_ready", fault: "deleted", reason: expect.stringMatching(/was deleted/) });

    const refused = await t.gql(CREATE, { token: accessToken, variables: { title: "into the void" } });
    expect(refused.status).toBe(503);
    // Faults are 503 for application/json clients too.
    expect((await t.gql(CREATE, { token: accessToken, variables: { title: "into the void" }, headers: { accept: "application/json" } })).status).toBe(503);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "DATABASE_UNAVAILABLE" });

    // The operator restores the backup (a new file at the same path): the server follows it.
    copyFileSync(backup, file);
    expect(await readiness(t.url)).toEqual({ status: 200, body: { status: "ready" } });
    const created = await t.gql(CREATE, { token: accessToken, variables: { title: "after restore" } });
    expect(created.status).toBe(200);
    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(/^claimgate_db_faults_total\{kind="unavailable"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^claimgate_db_reopens_total [1-9]\d*$/m);
    const restored = new Sqlite(file, { readonly: true });
    try {
      expect(restored.prepare("SELECT title FROM Post WHERE id = ?").get(created.body.data!["createPost"].id)).toEqual({ title: "after restore" });
    } finally {
      restored.close();
    }
  });
});

describe("a database file replaced under the running server", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it("writes follow the new file (moved into place), not the unlinked old one", async () => {
    const file = join(t.dataDir, "claimgate.db");
    const { accessToken } = await t.login(ALICE.email, ALICE.password);
    const copy = join(t.dataDir, "copy.db");
    const external = new Sqlite(file);
    external.prepare("VACUUM INTO ?").run(copy);
    external.close();
    // The restore procedure the README gives: old file and its -wal/-shm out, the copy moved in.
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    renameSync(copy, file);

    const created = await t.gql(CREATE, { token: accessToken, variables: { title: "into the new file" } });
    expect(created.status).toBe(200);
    expect(await readiness(t.url)).toEqual({ status: 200, body: { status: "ready" } });
    const reopened = new Sqlite(file, { readonly: true });
    try {
      expect(reopened.prepare("SELECT title FROM Post WHERE id = ?").get(created.body.data!["createPost"].id)).toEqual({ title: "into the new file" });
    } finally {
      reopened.close();
    }
  });
});

describe("no silent fresh database", () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "claimgate-lost-"));
    env = { DATA_DIR: dataDir, JWT_SECRET: randomBytes(48).toString("base64url"), SEED_DEMO_USERS: "true" };
    // The first start creates the database (and its marker); in-process, as it is only the setting.
    const first = await startTestServer(env);
    expect((await readiness(first.url)).status).toBe(200);
    await first.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(join(dataDir, "claimgate.db" + suffix), { force: true });
  }, 60_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("outside development, a missing database that existed before stops startup with a clear message", async () => {
    const started = startServerProcess(env);
    await expect(started).rejects.toThrow(/server exited with 1/);
    const message = String(await started.catch((error: Error) => error.message));
    expect(message).toMatch(/claimgate cannot start\.\nThe database .*claimgate\.db is missing, but one was created there before/);
    expect(message).toMatch(/Restore it from a backup .* delete .*claimgate\.db\.marker/);
    expect(existsSync(join(dataDir, "claimgate.db"))).toBe(false);
  }, 60_000);

  it("in development it is re-created, loudly", async () => {
    const logs: string[] = [];
    const dev = await startTestServer({ ...env, NODE_ENV: "development", JWT_SECRET: "" }, { logs });
    try {
      expect(logs.join("\n")).toMatch(/"level":50,.*"event":"database_recreated".*CREATING A NEW EMPTY DATABASE/);
      expect((await readiness(dev.url)).status).toBe(200);
    } finally {
      await dev.stop();
    }
  });
});

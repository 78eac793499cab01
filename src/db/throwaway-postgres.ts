// A throwaway PostgreSQL cluster from the installed binaries (Debian's `postgresql` package puts
// them under /usr/lib/postgresql/<version>/bin): for the tests, and for `npm run db:migration`
// when no PostgreSQL server is configured. Trust authentication on 127.0.0.1 only, no fsync:
// never for data that matters.
import { execFile } from "node:child_process";
import { chmod, chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** PostgreSQL versions claimgate supports. */
export const MIN_POSTGRES_VERSION = 15;

/**
 * The folder holding initdb and pg_ctl: POSTGRES_BIN when set, else the newest supported version
 * under /usr/lib/postgresql; null when none is installed.
 */
export async function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const has = (dir: string) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"));
  const configured = env["POSTGRES_BIN"];
  if (configured) return has(configured) ? configured : null;
  const versions = (await readdir("/usr/lib/postgresql").catch(() => []))
    .map(Number)
    .filter((version) => Number.isInteger(version) && version >= MIN_POSTGRES_VERSION)
    .sort((a, b) => b - a);
  for (const version of versions) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (has(dir)) return dir;
  }
  return null;
}

export interface ThrowawayCluster {
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  urlFor(database: string): string;
  readonly port: number;
  /** The folder holding the data directory, the socket and the log. */
  readonly root: string;
  /** Stops the server (fast shutdown: connections are cut), keeping the data. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes everything. */
  destroy(): Promise<void>;
}

export interface StartClusterOptions {
  /** @default the result of findPostgresBinaries() */
  binaries?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

/**
 * initdb into a fresh temporary folder and start the server on 127.0.0.1 at a free port, with its
 * socket in that folder. As root, the cluster runs as the `postgres` user (PostgreSQL refuses
 * root), so the folder is 0755 and owned by it. Ready in about a second.
 */
export async function startThrowawayCluster(options: StartClusterOptions = {}): Promise<ThrowawayCluster> {
  const binaries = options.binaries ?? (await findPostgresBinaries());
  if (!binaries) throw new Error("PostgreSQL's binaries (initdb, pg_ctl) are not installed: apt-get install postgresql, or set POSTGRES_BIN");
  const root = await mkdtemp(join(tmpdir(), "claimgate-pg-"));
  await chmod(root, 0o755);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]).catch(() => {
      throw new Error("running as root, PostgreSQL needs the `postgres` user (created by Debian's postgresql package)");
    });
    const uid = Number(stdout.trim());
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(root, uid, Number(gid.trim()));
  }
  const tool = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(binaries, name), ...args]) : run(join(binaries, name), args);
  const data = join(root, "data");
  try {
    await tool("initdb", ["--no-sync", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"]);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    port: String(port),
    listen_addresses: "127.0.0.1",
    unix_socket_directories: root,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    max_connections: "200",
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(" ");
  const start = async () => {
    await tool("pg_ctl", ["start", "-w", "-t", "30", "-D", data, "-l", join(root, "server.log"), "-o", serverOptions]);
  };
  const stop = async () => {
    await tool("pg_ctl", ["stop", "-w", "-m", "fast", "-D", data]).catch(() => {});
  };
  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    urlFor: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    port,
    root,
    stop,
    start,
    async destroy() {
      await tool("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", data]).catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

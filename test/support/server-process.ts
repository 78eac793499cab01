import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/project-root.js";
import { databaseEnvFor } from "./test-database.js";

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every line the process wrote to stdout and stderr. */
  readonly output: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `npm start`'s entry point in its own process, as an operator would run it. */
export interface ServerProcessOptions {
  /** A command the server runs under, e.g. `unshare -m sh -c '<mounts>; exec "$0" "$@"'`; it must exec the rest. */
  wrap?: string[];
  /** Run as this user and group (the tests run as root, whom file modes do not stop). */
  uid?: number;
  gid?: number;
}

/**
 * On the PostgreSQL pass, a process given a DATA_DIR and no DATABASE_URL gets the database of
 * that folder (test-database.ts): processes sharing a folder share a database, as on SQLite.
 */
export async function startServerProcess(env: Record<string, string>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (env["DATABASE_URL"] === undefined && env["DATA_DIR"]) env = { ...(await databaseEnvFor(env["DATA_DIR"])), ...env };
  const command = [...(options.wrap ?? []), process.execPath, "--import", "tsx", join(PROJECT_ROOT, "src", "main.ts")];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: "test", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const output: string[] = [];
  const exited = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join("\n")}`)), 30_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        output.push(line);
        const match = /"event":"server_started".*"url":"([^"]+)"/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join("\n")}`));
    });
  });
  return {
    url,
    child,
    output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export async function postGraphQL(url: string, query: string, options: { variables?: Record<string, unknown>; token?: string } = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[] } };
}

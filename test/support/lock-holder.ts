import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface LockHolder {
  readonly child: ChildProcess;
  /** Resolves when the holder has committed and exited. */
  readonly released: Promise<unknown>;
  /** Commits now, rather than at the end of holdMs, and resolves once the holder has exited. */
  release(): Promise<unknown>;
}

/**
 * Another process (as the CLI, a backup or a DB tool would be) that takes the SQLite write lock
 * on `path` with BEGIN IMMEDIATE, holds it until release() or for at most `holdMs`, then commits
 * and exits. Resolves once the lock is held.
 */
export async function holdWriteLock(path: string, holdMs: number): Promise<LockHolder> {
  const script = `
    const Sqlite = require("better-sqlite3");
    const db = new Sqlite(${JSON.stringify(path)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    let done = false;
    const commit = () => { if (done) return; done = true; db.exec("COMMIT"); db.close(); process.exit(0); };
    const timer = setTimeout(commit, ${holdMs});
    process.stdin.on("data", () => { clearTimeout(timer); commit(); });
    process.stdin.on("end", () => { clearTimeout(timer); commit(); });
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const released = once(child, "exit");
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code} before taking the lock`)));
  });
  return {
    child,
    released,
    release() {
      if (child.exitCode === null) child.stdin!.end("release\n");
      return released;
    },
  };
}

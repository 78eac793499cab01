import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface LockHolder {
  readonly child: ChildProcess;
  /** Resolves when the holder has committed and exited. */
  readonly released: Promise<unknown>;
}

/**
 * Another process (as the CLI, a backup or a DB tool would be) that takes the SQLite write lock
 * on `path` with BEGIN IMMEDIATE, holds it for `holdMs`, then commits and exits. Resolves once
 * the lock is held.
 */
export async function holdWriteLock(path: string, holdMs: number): Promise<LockHolder> {
  const script = `
    const Sqlite = require("better-sqlite3");
    const db = new Sqlite(${JSON.stringify(path)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, ${holdMs});
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const released = once(child, "exit");
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code} before taking the lock`)));
  });
  return { child, released };
}

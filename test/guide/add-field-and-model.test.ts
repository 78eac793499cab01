// Performs README.md's "Add your own field and model" on a copy of this repository, block by
// block: the files it shows are written where it says, its commands are run as written, and the
// finished server answers as it promises. Slow (a migration, code generation and a type-check):
// `npm run test:guide`, run by .ci/run, not by `npm test`.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/project-root.js";

interface Block {
  readonly language: string;
  readonly info: string;
  readonly body: string;
}

/** The fenced blocks of one README section, de-indented as they appear inside list items. */
function sectionBlocks(readme: string, title: string): Block[] {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README.md has no section "${title}"`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^( *)```(\w+)([^\n]*)\n([\s\S]*?)\n\1```/gm)].map((match) => ({
    language: match[2]!,
    info: match[3]!.trim(),
    body: match[4]!
      .split("\n")
      .map((line) => line.slice(match[1]!.length))
      .join("\n"),
  }));
}

const run = promisify(execFile);
let copy: string;
let server: ChildProcess | undefined;
const env = { ...process.env, NODE_ENV: "development", LOG_FORMAT: "json", DATA_DIR: "data", JWT_SECRET: "", DATABASE_URL: "" };

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

async function shell(script: string): Promise<string> {
  try {
    return (await run("bash", ["-euo", "pipefail", "-c", script], { cwd: copy, env, maxBuffer: 10_000_000 })).stdout;
  } catch (error) {
    const failed = error as { stdout: string; stderr: string };
    throw new Error(`failed: ${script}\n${failed.stdout}\n${failed.stderr}`);
  }
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "claimgate-guide-"));
  const skip = new Set(["node_modules", ".git", "data", "dist"].map((name) => join(PROJECT_ROOT, name)));
  await cp(PROJECT_ROOT, copy, { recursive: true, filter: (source) => !skip.has(source) });
  await symlink(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), "dir");
});

afterAll(async () => {
  server?.kill("SIGTERM");
  if (server && server.exitCode === null) await once(server, "exit");
  await rm(copy, { recursive: true, force: true });
});

describe("README: Add your own field and model", () => {
  // A migration, code generation and a whole-project type-check: minutes on a busy machine.
  it("works as written", { timeout: 300_000 }, async () => {
    const blocks = sectionBlocks(await readFile(join(PROJECT_ROOT, "README.md"), "utf8"), "Add your own field and model");
    const commands = blocks.filter((block) => block.language === "sh");
    expect(commands.length).toBe(4);
    const [migration, generate, check, tryIt] = commands;

    // Steps 1 to 5: the files, and the commands between them, in the README's order.
    for (const block of blocks) {
      const append = /^append-to=(\S+)$/.exec(block.info);
      const insert = /^insert-after="([^"]+)" into=(\S+)$/.exec(block.info);
      if (append) {
        const path = join(copy, append[1]!);
        await writeFile(path, `${(await readFile(path, "utf8")).trimEnd()}\n\n${block.body}\n`);
      } else if (insert) {
        const path = join(copy, insert[2]!);
        const text = await readFile(path, "utf8");
        expect(text).toContain(insert[1]!);
        await writeFile(path, text.replace(`${insert[1]!}\n`, `${insert[1]!}\n${block.body}\n`));
      } else if (block === migration) {
        expect(await shell(block.body)).toMatch(
          /created prisma\/migrations\/(\d+_add_note)\/migration\.sql\ncreated prisma\/postgres\/migrations\/\1\/migration\.sql\nregenerated the Prisma clients/,
        );
      } else if (block === generate) {
        await shell(block.body);
      }
    }

    // Step 6 grants claims to bob, whom the development server creates: start it first.
    const port = await freePort();
    server = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: copy, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stderr!.on("data", (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on("data", (chunk) => {
        output += chunk;
        if (output.includes('"event":"server_started"')) resolve();
      });
      server!.once("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    });
    // bob's posts:read comes from his demo role (reader); grant adds to his own claims.
    expect(await shell(check!.body)).toContain('bob@example.com: {"permissions":["notes:read","notes:write"]}');

    // Step 7, the README's curl commands, against this server.
    const answer = await shell(tryIt!.body.replaceAll("127.0.0.1:4000", `127.0.0.1:${port}`));
    expect(answer).toMatch(/^\{"data":\{"addNote":\{"id":"[0-9a-f-]{36}","text":"first"\}\}\}\n\{"data":\{"myNotes":\[\{"text":"first","createdAt":"\d{4}-[^"]+"\}\]\}\}\n$/);

    // alice lacks notes:read.
    const login = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: 'mutation { login(email: "alice@example.com", password: "alice-password-123") { accessToken } }' }),
    });
    const { accessToken } = ((await login.json()) as { data: { login: { accessToken: string } } }).data.login;
    const forbidden = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      // 403 for clients that accept application/graphql-response+json (application/json ones get 200: see Errors).
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: "{ myNotes { text } }" }),
    });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({
      code: "FORBIDDEN",
      requiredClaims: ["permissions=notes:read"],
    });
  });
});

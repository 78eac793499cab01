// `claimgate authz check` and `authz diff`: their behaviour in-process, and one real process
// run each for the exit codes (0 allowed / not weaker, 1 denied / weaker, 2 bad usage).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/cli-error.js";
import { runAuthzCommand } from "../../src/cli/commands/authz-command.js";
import { PROJECT_ROOT, SCHEMA_PATH } from "../../src/project-root.js";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  try {
    await runAuthzCommand(args, { out: (text) => void (stdout += text), err: (text) => void (stderr += text) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CliError) return { code: error.exitCode, stdout, stderr: error.message };
    throw error;
  }
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/cli/claimgate.ts"), ...args], { cwd: PROJECT_ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const CAROL = JSON.stringify({ sub: "carol", permissions: ["posts:write"] });
const ADMIN = JSON.stringify({ sub: "alice", role: "admin", permissions: ["posts:read", "posts:write"] });
const unsignedToken = (claims: object) =>
  `${Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "claimgate-authz-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("authz check", () => {
  it("lists every place: allowed, denied with what is missing, checked per object", async () => {
    const result = await run([
      "check",
      "--claims",
      CAROL,
      "--query",
      `mutation { createPost(input: { title: "t", body: "b", secretNote: "s" }) { title secretNote } }`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ALLOWED\s+createPost\s+Mutation\.createPost\s*$/m);
    expect(result.stdout).toMatch(/^DENIED\s+createPost\s+CreatePostInput\.secretNote \(supplied as input\.secretNote\)\s+missing: role=admin$/m);
    expect(result.stdout).toMatch(/^PER-OBJECT\s+createPost\s+Post objects\s+checked on each object at run time$/m);
    expect(result.stdout).toMatch(/^DENIED\s+createPost\.secretNote\s+Post\.secretNote\s+missing: role=admin$/m);
    expect(result.stderr).toMatch(/denied: 2 place\(s\); the mutation would be refused whole/);
  });

  it("exits 0 when everything decidable is allowed; reads variables, operation names, query files and tokens", async () => {
    const file = join(dir, "ops.graphql");
    await writeFile(file, `query A($id: ID!) { drafts(authorId: $id) { title } } query B { posts { title } }`);
    const own = await run(["check", "--claims", CAROL, "--query-file", file, "--operation", "A", "--variables", `{"id":"carol"}`]);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/^ALLOWED\s+drafts\s+Query\.drafts/m);
    const other = await run(["check", "--token", unsignedToken({ sub: "carol" }), "--query-file", file, "--operation", "A", "--variables", `{"id":"bob"}`]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^DENIED\s+drafts\s+Query\.drafts\s+needs one of: \[sub=bob\] or \[role=admin\]$/m);
    expect((await run(["check", "--claims", ADMIN, "--query-file", file, "--operation", "B"])).code).toBe(0);
  });

  it("shows enforce: false rules that would deny", async () => {
    const result = await run(["check", "--claims", CAROL, "--query", `{ post(id: "1") { title } }`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ALLOWED\s+post\s+Query\.post\s+an enforce: false rule would deny/m);
  });

  it("exits 2 on bad usage or an invalid document", async () => {
    for (const args of [
      ["check", "--query", "{ viewer { authenticated } }"],
      ["check", "--claims", CAROL, "--token", "x", "--query", "{ me { id } }"],
      ["check", "--claims", "[1]", "--query", "{ me { id } }"],
      ["check", "--claims", CAROL, "--query", "{ nope }"],
      ["check", "--claims", CAROL, "--query", "{ me { id "],
      ["check", "--claims", CAROL, "--query", "query ($id: ID!) { post(id: $id) { id } }"],
      ["check", "--claims", CAROL, "--query", "{ me { id } }", "--frobnicate"],
      ["frobnicate"],
    ]) {
      expect((await run(args)).code, args.join(" ")).toBe(2);
    }
  });

  it("a real process exits 0, 1 and 2", async () => {
    // Three processes at once: each is mostly start-up (tsx, the schema).
    const [allowed, denied, misused] = await Promise.all([
      cli(["authz", "check", "--claims", ADMIN, "--query", `{ posts { title } }`]),
      cli(["authz", "check", "--claims", CAROL, "--query", `{ posts { title } }`]),
      cli(["authz", "check", "--claims", CAROL]),
    ]);
    expect(allowed.code).toBe(0);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/^DENIED\s+posts\s+Query\.posts\s+missing: permissions=posts:read$/m);
    expect(misused.code).toBe(2);
  });
});

describe("authz diff", () => {
  it("passes when protection is unchanged or stronger, fails when weaker, with the reason", async () => {
    const current = await readFile(SCHEMA_PATH, "utf8");
    const stronger = join(dir, "stronger.graphql");
    const weaker = join(dir, "weaker.graphql");
    await writeFile(stronger, current.replace(`@requiresClaims(claims: ["permissions=posts:read"])`, `@requiresClaims(claims: ["permissions=posts:read", "email_verified"])`));
    await writeFile(weaker, current.replace(`@requiresClaims(anyOf: [["sub={authorId}"], ["role=admin"]])`, `@requiresClaims(anyOf: [["sub={authorId}"], ["role=admin"], ["role=editor"]])`));

    const same = await run(["diff", SCHEMA_PATH, SCHEMA_PATH]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^No change in protection/);

    const up = await run(["diff", SCHEMA_PATH, stronger]);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^STRONGER\s+Query\.posts/m);

    const down = await run(["diff", SCHEMA_PATH, weaker, "--markdown"]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain("| weaker | `Query.drafts` |");
    expect(down.stdout).toContain("alternative added to anyOf: [role=editor]");
  });

  it("exits 2 on bad usage or an invalid schema", async () => {
    const broken = join(dir, "broken.graphql");
    await writeFile(broken, (await readFile(SCHEMA_PATH, "utf8")).replace(`"sub={source.authorId}"`, `"sub={source.writer}"`));
    expect((await run(["diff", SCHEMA_PATH])).code).toBe(2);
    expect((await run(["diff", SCHEMA_PATH, join(dir, "missing.graphql")])).code).toBe(2);
    const invalid = await run(["diff", SCHEMA_PATH, broken]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/Post: claim requirement "sub=\{source\.writer\}" reads \{source\.writer\}, but Post has no field "writer"/);
  });

  it("a real process exits 1 when weaker, and the project's baseline passes", async () => {
    const weaker = join(dir, "no-note-rule.graphql");
    await writeFile(weaker, (await readFile(SCHEMA_PATH, "utf8")).replace(`secretNote: String @requiresClaims(claims: ["role=admin"])\n}`, "secretNote: String\n}"));
    const result = await cli(["authz", "diff", SCHEMA_PATH, weaker]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^WEAKER\s+Post\.secretNote\s+role=admin → no rule/m);
    expect(result.stderr).toMatch(/weaker in 1 place/);
    // In-process: the same command as a real process is one of `npm test`'s checks (test/run.ts).
    const baseline = await run(["diff", join(PROJECT_ROOT, "test/fixtures/authz-baseline.graphql"), SCHEMA_PATH]);
    expect(baseline.code, baseline.stdout + baseline.stderr).toBe(0);
  });
});

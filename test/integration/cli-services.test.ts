// The CLI opens only what a command needs: `user list` reads rows, so it loads no signing key and
// starts no background work (revocation sync, role sync), unlike the server's service setup.
import { createHook } from "node:async_hooks";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { createServices } from "../../src/server/create-services.js";

let dataDir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "claimgate-cli-services-"));
  env = {
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SEED_DEMO_USERS: "false",
    // A ring whose only key file does not exist: whatever loads the keys fails.
    JWT_KEYS: JSON.stringify([{ kid: "k", alg: "ES256", privateKeyFile: join(dataDir, "no-such-key.pem") }]),
    // An issuer with expandRoles and linkUsers: the server keeps a role table in sync for it.
    TRUSTED_ISSUERS: JSON.stringify([{ issuer: "https://idp.example.test", audiences: ["api"], jwksUri: "https://idp.example.test/jwks", expandRoles: true, linkUsers: true }]),
  };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** Every repeating timer (setInterval) created while `run` runs: background work a process would have to stop. */
async function intervalsCreatedDuring(run: () => Promise<unknown>): Promise<number> {
  let intervals = 0;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === "Timeout" && (resource as { _repeat?: unknown })._repeat) intervals++;
    },
  });
  hook.enable();
  try {
    await run();
  } finally {
    hook.disable();
  }
  return intervals;
}

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { io: { out: (text) => void (stdout += text), err: (text) => void (stderr += text) }, env });
  return { code, stdout, stderr };
}

describe("the CLI's services", () => {
  it("the server's setup would load the keys and start its syncs (the probe sees them)", async () => {
    await expect(createServices({ config: parseConfig(env), logger: pino({ level: "silent" }), clock: () => new Date() })).rejects.toThrow(/no-such-key\.pem/);
    const { JWT_KEYS: _unused, ...withSecret } = env;
    const config = parseConfig({ ...withSecret, JWT_SECRET: "q8Jr2Lw0vXf3kP9sT6yB1nM4cH7gD5aZeUoIiRlQ" });
    let close = async () => {};
    const intervals = await intervalsCreatedDuring(async () => {
      ({ close } = await createServices({ config, logger: pino({ level: "silent" }), clock: () => new Date() }));
    });
    await close();
    expect(intervals).toBeGreaterThanOrEqual(2);
  });

  it("user create and user list: no key loaded, no background timer", async () => {
    let created = { code: -1, stdout: "", stderr: "" };
    const createIntervals = await intervalsCreatedDuring(async () => {
      created = await cli(["user", "create", "--email", "ann@example.com", "--password", "ann-password-123"]);
    });
    expect(created).toMatchObject({ code: 0, stderr: "" });
    let listed = { code: -1, stdout: "", stderr: "" };
    const listIntervals = await intervalsCreatedDuring(async () => {
      listed = await cli(["user", "list"]);
    });
    expect(listed).toMatchObject({ code: 0, stderr: "" });
    expect(listed.stdout).toContain("ann@example.com");
    expect(createIntervals).toBe(0);
    expect(listIntervals).toBe(0);
  });

  it("user disable ends sessions without keys or a sync of its own", async () => {
    let disabled = { code: -1, stdout: "", stderr: "" };
    const intervals = await intervalsCreatedDuring(async () => {
      disabled = await cli(["user", "disable", "ann@example.com"]);
    });
    expect(disabled).toMatchObject({ code: 0, stdout: "ann@example.com is disabled; 0 session(s) ended\n", stderr: "" });
    expect(intervals).toBe(0);
  });
});

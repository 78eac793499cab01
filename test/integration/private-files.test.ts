// `npm run db:migrate` on a new folder creates it and the database private, like the server does.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { migrateIfNeeded } from "../../src/db/migrations.js";
import { MIGRATIONS_DIR } from "../../src/project-root.js";

it("migrating a new database creates its folder 0700 and its file 0600, whatever the umask", async () => {
  const root = await mkdtemp(join(tmpdir(), "claimgate-private-"));
  try {
    const folder = join(root, "data");
    await migrateIfNeeded({ databaseUrl: `file:${join(folder, "claimgate.db")}`, migrationsDir: MIGRATIONS_DIR });
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(join(folder, "claimgate.db"))).mode & 0o777).toBe(0o600);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

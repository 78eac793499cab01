import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json, found from this module's location, so the server finds
 * schema.graphql and prisma/ whether it runs from src/ (tsx) or dist/src/ (compiled),
 * whatever the working directory.
 */
export const PROJECT_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("claimgate: cannot find the project root (no package.json above the code)");
    dir = parent;
  }
  return dir;
})();

export const SCHEMA_PATH = join(PROJECT_ROOT, "schema.graphql");
export const MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "migrations");
export const PRISMA_SCHEMA_PATH = join(PROJECT_ROOT, "prisma", "schema.prisma");
export const POSTGRES_MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "postgres", "migrations");
export const POSTGRES_SCHEMA_PATH = join(PROJECT_ROOT, "prisma", "postgres", "schema.prisma");

#!/usr/bin/env node
// The `claimgate` command (package.json "bin"). Runs the TypeScript sources through tsx, so
// `npx claimgate` works in a fresh clone right after `npm install`, without a build; a package
// shipped with only the compiled dist/ runs that instead.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/claimgate.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/src/cli/claimgate.js", import.meta.url).href);
}

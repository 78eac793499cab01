// Prisma's schema engine, compiled to WebAssembly, driving SQLite through the
// better-sqlite3 driver adapter. It needs no native engine download, so
// migrations can be created and applied on machines without internet access.
//
// The package's main entry imports the .wasm file as an ES module, which Node 20
// only allows behind --experimental-wasm-modules; we instantiate it by hand.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";

export type SchemaEngine = bindings.SchemaEngine;

// The WebAssembly global, typed narrowly: @types/node 20 does not declare it.
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: object } }>;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmApi };

let initialised: Promise<void> | undefined;

export function initialiseWasm(): Promise<void> {
  initialised ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindingsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasm = await readFile(join(dirname(bindingsPath), "schema_engine_bg.wasm"));
    const { instance } = await wasmApi.instantiate(wasm, { "./schema_engine_bg.js": bindings });
    const exports = instance.exports as { __wbindgen_start: () => void };
    bindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return initialised;
}

export interface OpenSchemaEngineOptions {
  /** SQLite URL, `file:` prefix optional. */
  databaseUrl: string;
}

export interface SchemaEngineHandle {
  readonly engine: SchemaEngine;
  /** Frees the engine and closes every SQLite connection it opened, releasing file locks. */
  close(): Promise<void>;
}

export async function openSchemaEngine(options: OpenSchemaEngineOptions): Promise<SchemaEngineHandle> {
  await initialiseWasm();
  const factory = new PrismaBetterSqlite3({ url: options.databaseUrl });
  // engine.free() leaves the driver's connections open (and the database locked), so track them.
  const connections: { dispose(): Promise<void> }[] = [];
  const tracked = <T extends { dispose(): Promise<void> }>(connection: T): T => {
    connections.push(connection);
    return connection;
  };
  const adapter = bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => tracked(await factory.connect()),
    connectToShadowDb: async () => tracked(await factory.connectToShadowDb()),
  });
  // The engine reports progress through this callback; migrations are quiet on success.
  const engine = await bindings.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(connections.map((connection) => connection.dispose()));
    },
  };
}

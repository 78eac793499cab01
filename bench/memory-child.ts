// Run by memory-bench.ts as `node --expose-gc --import tsx bench/memory-child.ts KIND N`: fills
// one per-process structure with N entries in a fresh process and prints, as JSON, how much the
// heap and the array buffers grew (after full collections), so nothing else the bench did counts.
import { randomBytes, randomUUID } from "node:crypto";
import { signAccessToken } from "../src/auth/access-token.js";
import { createAuthenticator } from "../src/auth/authenticate.js";
import { CompactIdTable } from "../src/auth/compact-id-table.js";
import { createHmacKeyRing } from "../src/auth/signing-keys.js";

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

function used(): { heap: number; buffers: number } {
  for (let i = 0; i < 3; i++) gc!();
  const memory = process.memoryUsage();
  return { heap: memory.heapUsed, buffers: memory.arrayBuffers };
}

/** What is measured stays reachable from here until the numbers are taken. */
const keep: unknown[] = [];
(globalThis as { benchKeep?: unknown[] }).benchKeep = keep;
let result: { heap: number; buffers: number; extra?: Record<string, number> };
if (kind === "ended-sessions" || kind === "ended-sessions-map") {
  // Ids are made inside the loop, as flat strings like those read from a database: the table
  // copies their bits and lets them go, the Map keeps them.
  const uuid = Buffer.alloc(36);
  const hex = Buffer.from("0123456789abcdef");
  const nextId = () => {
    const random = randomBytes(16);
    for (let i = 0, j = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) uuid[i] = 0x2d;
      else uuid[i] = hex[(random[j >> 1]! >> (j++ % 2 === 0 ? 4 : 0)) & 15]!;
    }
    return uuid.toString("latin1");
  };
  const before = used();
  if (kind === "ended-sessions") {
    const table = new CompactIdTable({ initialCapacity: 1024 });
    for (let i = 0; i < count; i++) table.set(nextId(), 2_000_000_000);
    if (table.size !== count) throw new Error("lost entries");
    keep.push(table);
  } else {
    // The Map<string, number> this replaced.
    const map = new Map<string, number>();
    for (let i = 0; i < count; i++) map.set(nextId(), Date.now());
    keep.push(map);
  }
  const after = used();
  result = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers };
} else if (kind === "token-cache") {
  // Each token is signed, authenticated once and let go by the caller, as a request's header is:
  // what remains is what the cache keeps (the token string, its verified claims, its principal).
  const keys = await createHmacKeyRing(randomBytes(48).toString("base64url"));
  const tokens = { issuer: "urn:bench", audience: "urn:bench:api", accessTokenTtlSeconds: 3600, clockToleranceSeconds: 5 };
  const now = new Date();
  const authenticator = createAuthenticator({ verification: { keys, tokens }, cacheSize: count, cacheBytes: Number.MAX_SAFE_INTEGER, clock: () => now });
  let tokenLength = 0;
  const before = used();
  for (let i = 0; i < count; i++) {
    const { token } = await signAccessToken({ keys, tokens, subject: randomUUID(), sessionId: randomUUID(), claims: { role: "user", permissions: ["posts:read", "posts:write"] }, now });
    tokenLength = token.length;
    await authenticator.authenticate(`Bearer ${token}`);
  }
  const after = used();
  if (authenticator.cacheStats().size !== count) throw new Error(`cache holds ${authenticator.cacheStats().size}, expected ${count}`);
  keep.push(authenticator);
  result = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers, extra: { tokenLength } };
} else {
  throw new Error(`unknown kind ${kind}`);
}
void keep;
process.stdout.write(`${JSON.stringify(result)}\n`);

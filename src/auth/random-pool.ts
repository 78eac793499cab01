import { randomBytes, randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `size` bytes from the operating system's CSPRNG (via OpenSSL), drawn from a buffer filled 4 KiB
 * at a time. Each `randomBytes` call crosses into C++ and allocates; a refresh needs 44 bytes in two
 * calls, so this saves most of that work, as Node itself does for `randomUUID`. Every byte is
 * handed out once and copied out, so no two callers ever share or see each other's bytes.
 * The trade: up to 4 KiB of bytes not yet handed out sit in the heap, so a heap snapshot or core
 * dump would show the next few dozen refresh tokens; such a dump already holds the signing keys,
 * which are worth more, so dumps of a production process must be guarded either way.
 */
export function poolRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES / 8) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  // Handed-out bytes do not linger in the pool.
  pool.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}

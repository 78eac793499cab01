/**
 * A set of ids, each with an expiry (whole seconds) and optionally a number, built for a million
 * entries per process: canonical lowercase UUIDs (what the database generates for sessions and
 * users) are stored as their 128 bits in typed arrays with open addressing, about 20 bytes a slot
 * (28 with values) instead of the ~100+ bytes of a Map entry with its string key; the table stays
 * between 35 % and 70 % full. Any other id (hand-made, uppercase, not a UUID) goes to an ordinary
 * Map, so the table is exact for every string: two different ids never share an entry.
 *
 * Expired entries stay visible until `evictExpired` runs, so a lookup needs no clock and
 * allocates nothing; the owner evicts on its own schedule.
 */
export class CompactIdTable {
  #capacity: number;
  #mask: number;
  /** 4 words per slot: the UUID's 128 bits. */
  #keys: Uint32Array;
  /** Expiry in seconds per slot; 0 marks an empty slot (so expiries are clamped to ≥ 1). */
  #expiry: Uint32Array;
  #values: Float64Array | undefined;
  #compactSize = 0;
  readonly #minCapacity: number;
  readonly #withValues: boolean;
  /** Ids that are not canonical UUIDs: [expiry, value]. */
  readonly #others = new Map<string, [expiry: number, value: number]>();
  // The parsed key of the last id looked at: fields instead of an array so a lookup allocates nothing.
  #k0 = 0;
  #k1 = 0;
  #k2 = 0;
  #k3 = 0;

  constructor(options: { initialCapacity?: number; values?: boolean } = {}) {
    this.#withValues = options.values ?? false;
    this.#minCapacity = powerOfTwoAtLeast(Math.max(16, options.initialCapacity ?? 1024));
    this.#capacity = this.#minCapacity;
    this.#mask = this.#capacity - 1;
    this.#keys = new Uint32Array(this.#capacity * 4);
    this.#expiry = new Uint32Array(this.#capacity);
    this.#values = this.#withValues ? new Float64Array(this.#capacity) : undefined;
  }

  get size(): number {
    return this.#compactSize + this.#others.size;
  }

  /** Slots of the compact part (a power of two). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes held by the compact part's typed arrays (the Map of other ids not counted). */
  get byteLength(): number {
    return this.#keys.byteLength + this.#expiry.byteLength + (this.#values?.byteLength ?? 0);
  }

  has(id: string): boolean {
    if (!this.#parse(id)) return this.#others.has(id);
    return this.#find() >= 0;
  }

  /** The number stored with the id, or undefined when the id is absent. */
  get(id: string): number | undefined {
    if (!this.#parse(id)) return this.#others.get(id)?.[1];
    const slot = this.#find();
    if (slot < 0) return undefined;
    return this.#values ? this.#values[slot] : 0;
  }

  /** The id's expiry in seconds, or undefined when absent. */
  expiryOf(id: string): number | undefined {
    if (!this.#parse(id)) return this.#others.get(id)?.[0];
    const slot = this.#find();
    return slot < 0 ? undefined : this.#expiry[slot];
  }

  /** Adds the id or replaces its expiry and value. Returns true when the id was not there. */
  set(id: string, expiresAtSeconds: number, value = 0): boolean {
    const expiry = Math.min(0xffff_ffff, Math.max(1, Math.ceil(expiresAtSeconds)));
    if (!this.#parse(id)) {
      const known = this.#others.get(id);
      this.#others.set(id, [expiry, value]);
      return known === undefined;
    }
    const found = this.#find();
    if (found >= 0) {
      this.#expiry[found] = expiry;
      if (this.#values) this.#values[found] = value;
      return false;
    }
    if ((this.#compactSize + 1) * 10 > this.#capacity * 7) this.#resize(this.#capacity * 2);
    this.#insertParsed(expiry, value);
    return true;
  }

  delete(id: string): boolean {
    if (!this.#parse(id)) return this.#others.delete(id);
    const slot = this.#find();
    if (slot < 0) return false;
    this.#removeAt(slot);
    return true;
  }

  /**
   * Removes every entry whose expiry is before `nowSeconds` (an entry expiring at `nowSeconds`
   * stays) and shrinks the table when it became mostly empty. One pass over the slots.
   */
  evictExpired(nowSeconds: number): number {
    let removed = 0;
    const expiry = this.#expiry;
    if (this.#compactSize > 0) {
      // Start right after an empty slot: then no run of occupied slots wraps past the start, and
      // the backward shift of a deletion only ever moves entries to slots not yet visited or to
      // the current one, which is looked at again.
      let start = 0;
      while (expiry[start] !== 0) start++;
      let visited = 0;
      let slot = (start + 1) & this.#mask;
      while (visited < this.#capacity) {
        const at = expiry[slot]!;
        if (at !== 0 && at < nowSeconds) {
          this.#removeAt(slot);
          removed++;
          continue;
        }
        slot = (slot + 1) & this.#mask;
        visited++;
      }
    }
    for (const [id, [at]] of this.#others) {
      if (at < nowSeconds) {
        this.#others.delete(id);
        removed++;
      }
    }
    if (this.#capacity > this.#minCapacity && this.#compactSize * 10 < this.#capacity * 2) {
      this.#resize(Math.max(this.#minCapacity, powerOfTwoAtLeast(Math.ceil((this.#compactSize * 10) / 5))));
    }
    return removed;
  }

  clear(): void {
    this.#others.clear();
    this.#compactSize = 0;
    this.#capacity = this.#minCapacity;
    this.#mask = this.#capacity - 1;
    this.#keys = new Uint32Array(this.#capacity * 4);
    this.#expiry = new Uint32Array(this.#capacity);
    this.#values = this.#withValues ? new Float64Array(this.#capacity) : undefined;
  }

  /** Every entry as [id, expiry, value], compact ones first (ids re-formatted in canonical form). */
  *entries(): IterableIterator<[id: string, expiresAtSeconds: number, value: number]> {
    for (let slot = 0; slot < this.#capacity; slot++) {
      if (this.#expiry[slot] === 0) continue;
      const k = slot * 4;
      yield [formatUuid(this.#keys[k]!, this.#keys[k + 1]!, this.#keys[k + 2]!, this.#keys[k + 3]!), this.#expiry[slot]!, this.#values?.[slot] ?? 0];
    }
    for (const [id, [expiry, value]] of this.#others) yield [id, expiry, value];
  }

  /** Parses a canonical lowercase UUID into #k0..#k3; false for anything else. */
  #parse(id: string): boolean {
    if (id.length !== 36) return false;
    if (id.charCodeAt(8) !== DASH || id.charCodeAt(13) !== DASH || id.charCodeAt(18) !== DASH || id.charCodeAt(23) !== DASH) return false;
    let word = 0;
    let nibbles = 0;
    let index = 0;
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) continue;
      const nibble = hexValue(id.charCodeAt(i));
      if (nibble < 0) return false;
      word = (word << 4) | nibble;
      if (++nibbles === 8) {
        if (index === 0) this.#k0 = word >>> 0;
        else if (index === 1) this.#k1 = word >>> 0;
        else if (index === 2) this.#k2 = word >>> 0;
        else this.#k3 = word >>> 0;
        index++;
        word = 0;
        nibbles = 0;
      }
    }
    return true;
  }

  /** Home slot of a key. */
  #home(k0: number, k1: number, k2: number, k3: number): number {
    return mix(k0, k1, k2, k3) & this.#mask;
  }

  /** Slot of the parsed key, or -1. */
  #find(): number {
    const keys = this.#keys;
    const expiry = this.#expiry;
    const k0 = this.#k0;
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    let slot = this.#home(k0, k1, k2, k3);
    while (expiry[slot] !== 0) {
      const k = slot * 4;
      if (keys[k] === k0 && keys[k + 1] === k1 && keys[k + 2] === k2 && keys[k + 3] === k3) return slot;
      slot = (slot + 1) & this.#mask;
    }
    return -1;
  }

  /** Inserts the parsed key, known to be absent, with room to spare. */
  #insertParsed(expiry: number, value: number): void {
    let slot = this.#home(this.#k0, this.#k1, this.#k2, this.#k3);
    while (this.#expiry[slot] !== 0) slot = (slot + 1) & this.#mask;
    const k = slot * 4;
    this.#keys[k] = this.#k0;
    this.#keys[k + 1] = this.#k1;
    this.#keys[k + 2] = this.#k2;
    this.#keys[k + 3] = this.#k3;
    this.#expiry[slot] = expiry;
    if (this.#values) this.#values[slot] = value;
    this.#compactSize++;
  }

  /** Linear probing's deletion without tombstones: later entries of the run shift back into the hole when their home allows it. */
  #removeAt(slot: number): void {
    const keys = this.#keys;
    const expiry = this.#expiry;
    const values = this.#values;
    const mask = this.#mask;
    let hole = slot;
    let next = (hole + 1) & mask;
    while (expiry[next] !== 0) {
      const k = next * 4;
      const home = this.#home(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!);
      // The entry at `next` may move into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        const h = hole * 4;
        keys[h] = keys[k]!;
        keys[h + 1] = keys[k + 1]!;
        keys[h + 2] = keys[k + 2]!;
        keys[h + 3] = keys[k + 3]!;
        expiry[hole] = expiry[next]!;
        if (values) values[hole] = values[next]!;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    expiry[hole] = 0;
    this.#compactSize--;
  }

  #resize(capacity: number): void {
    const oldKeys = this.#keys;
    const oldExpiry = this.#expiry;
    const oldValues = this.#values;
    const oldCapacity = this.#capacity;
    const mask = capacity - 1;
    const keys = new Uint32Array(capacity * 4);
    const expiry = new Uint32Array(capacity);
    const values = this.#withValues ? new Float64Array(capacity) : undefined;
    // One tight loop over locals: this runs while the event loop waits (a million entries, tens of ms).
    for (let slot = 0; slot < oldCapacity; slot++) {
      const at = oldExpiry[slot]!;
      if (at === 0) continue;
      const k = slot * 4;
      const k0 = oldKeys[k]!;
      const k1 = oldKeys[k + 1]!;
      const k2 = oldKeys[k + 2]!;
      const k3 = oldKeys[k + 3]!;
      let to = mix(k0, k1, k2, k3) & mask;
      while (expiry[to] !== 0) to = (to + 1) & mask;
      const t = to * 4;
      keys[t] = k0;
      keys[t + 1] = k1;
      keys[t + 2] = k2;
      keys[t + 3] = k3;
      expiry[to] = at;
      if (values) values[to] = oldValues![slot]!;
    }
    this.#capacity = capacity;
    this.#mask = mask;
    this.#keys = keys;
    this.#expiry = expiry;
    this.#values = values;
  }
}

/** Every word mixed in, so time-ordered UUIDs (v7) spread as well as random ones. */
function mix(k0: number, k1: number, k2: number, k3: number): number {
  let h = Math.imul(k0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ k1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ k2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ k3, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const DASH = 0x2d;

/** 0-15 for 0-9 and a-f (lowercase only: the canonical form), -1 otherwise. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

function powerOfTwoAtLeast(n: number): number {
  let capacity = 16;
  while (capacity < n) capacity *= 2;
  return capacity;
}

function formatUuid(k0: number, k1: number, k2: number, k3: number): string {
  const hex = [k0, k1, k2, k3].map((word) => word.toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

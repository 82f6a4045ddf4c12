// The usage ledger's dedup collections, read from the snapshot only when a lookup may find something there.
// A repeat run (`tokstat usage`, the extension's first scan) mostly meets keys it has never seen: new responses, new
// tool calls. Parsing the snapshot's dedup sections (a few MB of hashed keys and counted responses) and building their
// sets and maps would be most of its work. So each section travels with a filter: the sorted 32-bit hashes of its keys.
// A key whose hash is not in the filter is certainly not in the section, and is answered from what this process added
// (the overlay); a key whose hash is there (or a walk over all entries) parses the section, and the overlay is folded
// into it. From then on the collection is an ordinary Set or Map. Results are the same as with the section parsed
// up front, insertion order included.

/** The 32-bit FNV-1a hash of a key: what a section's filter holds. */
export function keyHash32(k: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The filter of a set of keys: their hashes, sorted, as base64 (little-endian 32-bit words). */
export function filterOf(keys: Iterable<string>): string {
  const hs: number[] = [];
  for (const k of keys) hs.push(keyHash32(k));
  const a = Uint32Array.from(hs).sort();
  const b = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) b.writeUInt32LE(a[i]!, i * 4);
  return b.toString('base64');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A filter read back; undefined when the text is not one (a length that is not a whole number of words, or unsorted). */
export function parseFilter(b64: unknown): Uint32Array | undefined {
  if (typeof b64 !== 'string') return undefined;
  const b = Buffer.from(b64, 'base64');
  if (b.length % 4 !== 0) return undefined;
  const out = new Uint32Array(b.length / 4);
  // The words as they are where the machine is little-endian (a copy: the decoded bytes need not be aligned).
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(b);
  else for (let i = 0; i < out.length; i++) out[i] = b.readUInt32LE(i * 4);
  for (let i = 1; i < out.length; i++) if (out[i - 1]! > out[i]!) return undefined;
  return out;
}

function mayHave(filter: Uint32Array, k: string): boolean {
  const h = keyHash32(k);
  let lo = 0;
  let hi = filter.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = filter[mid]!;
    if (x === h) return true;
    if (x < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A snapshot section not parsed yet: its filter, its entry count and how to parse it. */
export interface LazySection<T> {
  filter: Uint32Array;
  count: number;
  /** Parses the section; throws LazySectionError when it cannot. */
  load: () => T;
}

/** A section that turned out not to parse (the snapshot is damaged). */
export class LazySectionError extends Error {}

/** A set of keys (only ever added to), parsed from its section on first need. */
export class LazyKeySet implements Iterable<string> {
  private full: Set<string> | undefined;
  private overlay = new Set<string>();
  private section: LazySection<string[]> | undefined;

  constructor(section?: LazySection<string[]>, keys?: Iterable<string>) {
    if (section) this.section = section;
    else this.full = new Set(keys);
  }

  get loaded(): boolean {
    return this.full !== undefined;
  }

  has(k: string): boolean {
    if (this.full) return this.full.has(k);
    if (this.overlay.has(k)) return true;
    if (!mayHave(this.section!.filter, k)) return false;
    return this.materialize().has(k);
  }

  add(k: string): this {
    (this.full ?? this.overlay).add(k);
    return this;
  }

  get size(): number {
    return this.materialize().size;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.materialize()[Symbol.iterator]();
  }

  private materialize(): Set<string> {
    if (this.full) return this.full;
    const full = new Set(this.section!.load());
    for (const k of this.overlay) full.add(k);
    this.full = full;
    this.overlay = new Set();
    this.section = undefined;
    return full;
  }
}

/** A map by key, parsed from its section on first need; deletions of keys the section may hold are remembered. */
export class LazyKeyMap<V> implements Iterable<[string, V]> {
  private full: Map<string, V> | undefined;
  private overlay = new Map<string, V>();
  private deleted = new Set<string>();
  private section: LazySection<Iterable<[string, V]>> | undefined;

  constructor(section?: LazySection<Iterable<[string, V]>>, entries?: Iterable<[string, V]>) {
    if (section) this.section = section;
    else this.full = new Map(entries);
  }

  get loaded(): boolean {
    return this.full !== undefined;
  }

  get(k: string): V | undefined {
    if (this.full) return this.full.get(k);
    if (this.overlay.has(k)) return this.overlay.get(k);
    if (this.deleted.has(k) || !mayHave(this.section!.filter, k)) return undefined;
    return this.materialize().get(k);
  }

  has(k: string): boolean {
    if (this.full) return this.full.has(k);
    if (this.overlay.has(k)) return true;
    if (this.deleted.has(k) || !mayHave(this.section!.filter, k)) return false;
    return this.materialize().has(k);
  }

  set(k: string, v: V): this {
    // A key deleted from the section and set again stays deleted there: like a Map, it then goes last.
    (this.full ?? this.overlay).set(k, v);
    return this;
  }

  /** Removes `k`. Before the section is parsed, a key it may hold is remembered as deleted (nothing is parsed). */
  delete(k: string): void {
    if (this.full) {
      this.full.delete(k);
      return;
    }
    this.overlay.delete(k);
    if (mayHave(this.section!.filter, k)) this.deleted.add(k);
  }

  /** `size > n`, without parsing the section when its count and the overlay together are at most `n`. */
  sizeExceeds(n: number): boolean {
    if (!this.full && this.section!.count + this.overlay.size <= n) return false;
    return this.materialize().size > n;
  }

  get size(): number {
    return this.materialize().size;
  }

  keys(): IterableIterator<string> {
    return this.materialize().keys();
  }

  [Symbol.iterator](): Iterator<[string, V]> {
    return this.materialize()[Symbol.iterator]();
  }

  private materialize(): Map<string, V> {
    if (this.full) return this.full;
    const full = new Map(this.section!.load());
    for (const k of this.deleted) full.delete(k);
    for (const [k, v] of this.overlay) full.set(k, v);
    this.full = full;
    this.overlay = new Map();
    this.deleted = new Set();
    this.section = undefined;
    return full;
  }
}

// A JSON reader for log lines that materialises only what the line parsers look at. Most bytes of agent transcripts
// are tool outputs (file contents, command output) inside string values that no parser reads; `JSON.parse` copies
// and unescapes every one of them. This reader walks the same grammar but, for a string value whose key is not in
// `keep`, only finds where the string ends and stores `null` instead.
//
// Why that is exact: the line parsers read string-valued fields only through the keys in their `keep` set; every other
// field is tested with `isObj` / `Array.isArray` / `=== undefined`, for which a string and `null` give the same answer
// (neither is an object or an array, both are defined). Objects, arrays, numbers, booleans and kept strings come out
// exactly as `JSON.parse` makes them (kept strings and keys with escapes are decoded by `JSON.parse` itself; the last of
// duplicate keys wins). Structure is fully validated (brackets, commas, colons, literals, number grammar, nothing after
// the object), and so is the inside of skipped strings (no raw control character, only valid escapes), so a line is
// accepted exactly when `JSON.parse` accepts it: truncated, interleaved or corrupted lines are rejected alike.

/** The line needs the full `JSON.parse` (an odd construct this reader does not handle, e.g. a `__proto__` key). */
export const FALLBACK: unique symbol = Symbol('fallback');

type Obj = Record<string, unknown>;

class Bad extends Error {}
const BAD = new Bad();

const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** A valid JSON string body and its closing quote. */
const STR_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Reader {
  i = 0;
  constructor(
    readonly s: string,
    readonly keep: ReadonlySet<string>,
  ) {}

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** At an opening quote: returns the index just after the closing quote. */
  strEnd(): number {
    const s = this.s;
    let q = this.i;
    for (;;) {
      q = s.indexOf('"', q + 1);
      if (q < 0) throw BAD;
      // A quote preceded by an odd number of backslashes is escaped.
      let b = q - 1;
      while (s.charCodeAt(b) === 92) b--;
      if (((q - 1 - b) & 1) === 0) return q + 1;
    }
  }

  str(): string {
    const start = this.i;
    const end = this.strEnd();
    this.i = end;
    const raw = this.s.slice(start + 1, end - 1);
    // Without escapes the slice is the value, provided it holds no raw control character (JSON.parse would reject).
    if (raw.indexOf('\\') < 0 && !/[\u0000-\u001f]/.test(raw)) return raw;
    try {
      return JSON.parse(this.s.slice(start, end)) as string;
    } catch {
      throw BAD;
    }
  }

  value(keepStr: boolean): unknown {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 34 /* " */) {
      if (keepStr) return this.str();
      // Skipped, but validated like JSON.parse validates it.
      STR_BODY.lastIndex = this.i + 1;
      if (!STR_BODY.test(s)) throw BAD;
      this.i = STR_BODY.lastIndex;
      return null;
    }
    if (c === 123 /* { */) return this.obj();
    if (c === 91 /* [ */) return this.arr();
    if (c === 116 /* t */ && s.startsWith('true', this.i)) return (this.i += 4), true;
    if (c === 102 /* f */ && s.startsWith('false', this.i)) return (this.i += 5), false;
    if (c === 110 /* n */ && s.startsWith('null', this.i)) return (this.i += 4), null;
    NUM.lastIndex = this.i;
    const m = NUM.exec(s);
    if (!m || m[0].length === 0) throw BAD;
    this.i += m[0].length;
    return Number(m[0]);
  }

  obj(): Obj {
    const s = this.s;
    const o: Obj = {};
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === 125 /* } */) {
      this.i++;
      return o;
    }
    for (;;) {
      this.ws();
      if (s.charCodeAt(this.i) !== 34) throw BAD;
      const key = this.str();
      if (key === '__proto__') throw FALLBACK;
      this.ws();
      if (s.charCodeAt(this.i) !== 58 /* : */) throw BAD;
      this.i++;
      o[key] = this.value(this.keep.has(key));
      this.ws();
      const c = s.charCodeAt(this.i++);
      if (c === 44 /* , */) continue;
      if (c === 125 /* } */) return o;
      throw BAD;
    }
  }

  arr(): unknown[] {
    const s = this.s;
    const a: unknown[] = [];
    this.i++;
    this.ws();
    if (s.charCodeAt(this.i) === 93 /* ] */) {
      this.i++;
      return a;
    }
    for (;;) {
      // Array elements have no key: a string element is skipped like an unkept field.
      a.push(this.value(false));
      this.ws();
      const c = s.charCodeAt(this.i++);
      if (c === 44) continue;
      if (c === 93) return a;
      throw BAD;
    }
  }
}

/**
 * Parses one JSON object line keeping only the string values of `keep` keys. Returns undefined where
 * `parseJsonObject` would (not an object, or not JSON), or FALLBACK when the caller must use `JSON.parse`.
 */
export function parseSelective(line: string, keep: ReadonlySet<string>): Obj | undefined | typeof FALLBACK {
  const r = new Reader(line, keep);
  r.ws();
  // Leading characters JSON.parse would also reject are left to it (parseJsonObject trims more than JSON does).
  if (line.charCodeAt(r.i) !== 123) return FALLBACK;
  try {
    const o = r.obj();
    r.ws();
    if (r.i !== line.length) return undefined;
    return o;
  } catch (e) {
    if (e === BAD) return undefined;
    // FALLBACK, or a stack overflow on absurd nesting: JSON.parse decides.
    return FALLBACK;
  }
}

// ───────────────────────────── on the raw bytes ─────────────────────────────
//
// The same reader on the UTF-8 bytes of a line, so that a line is never decoded into a string at all: a 50 KB tool
// result becomes a few `indexOf` calls, not 50 KB of heap that the worker then has to collect. It goes one step
// further than `parseSelective`: values under keys the line parsers never read are validated and dropped instead of
// being built (a `toolUseResult` object, a tool call's `input`, a Codex message's `content`), and only the strings
// they do read are decoded (small ASCII ones through a cache of recent values).
//
// Why that is exact, in addition to the reasons above: the line parsers read properties only by the names in their
// `read` set and never enumerate an object except to spread it into another one they again read only by those names;
// a property that is never looked up cannot change their result. Decoding only a kept string's bytes gives what
// decoding the whole line and slicing it gives, because the slice starts and ends at ASCII quotes (an invalid UTF-8
// sequence cannot run across an ASCII byte, so it becomes the same U+FFFD either way). Numbers with up to 15 digits and
// no fraction or exponent are exact as integers; any other number goes through `Number()`, which rounds like
// `JSON.parse`. A line that does not start with `{` (after JSON whitespace) goes back to the string path.

/** How the byte reader treats one read key: whether its string values are kept, and decoded without the cache. */
interface KeyEntry {
  key: string;
  keepStr: boolean;
  /** Kept strings that are (nearly) never the same twice (timestamps, message and request ids): not cached. */
  fresh: boolean;
}

/** How the byte reader treats the keys of one line format. */
export class ByteSchema {
  /**
   * FNV-1a of a read key's bytes → the key and whether its string values are kept: an open-addressed table of typed
   * arrays (slot → the entry's index + 1, and the full hash). Every key of every line is looked up here; a Map of
   * lists cost a hash of the hash and a list walk each time.
   */
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;
  private readonly entries: KeyEntry[] = [];
  /** Keys that arrive escaped (`"\u0069d"`) are decoded and looked up here. */
  private readonly byName = new Map<string, KeyEntry>();

  /**
   * `fresh`: kept keys whose values are unique to their line (timestamps, ids); decoding them through the cache of
   * recent strings would only churn it. Values are the same either way (the cache is checked byte by byte).
   */
  constructor(read: Iterable<string>, keepStr: ReadonlySet<string>, fresh: ReadonlySet<string> = new Set()) {
    const keys = [...new Set(read)];
    let size = 16;
    while (size < keys.length * 4) size *= 2;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (const key of keys) {
      if (!/^[\x20-\x7e]*$/.test(key) || key.includes('"') || key.includes('\\') || key === '__proto__') throw new Error(`unsupported key ${key}`);
      const e: KeyEntry = { key, keepStr: keepStr.has(key), fresh: fresh.has(key) };
      let h = FNV;
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
      this.entries.push(e);
      let slot = h & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = this.entries.length;
      this.hashes[slot] = h;
      this.byName.set(key, e);
    }
    for (const k of keepStr) if (!this.byName.has(k)) throw new Error(`kept key ${k} is not read`);
    for (const k of fresh) if (!keepStr.has(k)) throw new Error(`fresh key ${k} is not kept`);
  }

  /** The entry for the ASCII key in b[s, e) with hash h, if read. */
  lookup(b: Uint8Array, s: number, e: number, h: number): KeyEntry | undefined {
    const n = e - s;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const x = this.slots[slot]!;
      if (x === 0) return undefined;
      if (this.hashes[slot] !== h) continue;
      const entry = this.entries[x - 1]!;
      const k = entry.key;
      if (k.length !== n) continue;
      let i = 0;
      while (i < n && k.charCodeAt(i) === b[s + i]) i++;
      if (i === n) return entry;
    }
  }

  lookupName(key: string): KeyEntry | undefined {
    return this.byName.get(key);
  }
}

const FNV = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * Recently decoded short ASCII strings (model names, session ids, `type` values repeat on every line), direct-mapped
 * by their FNV-1a hash: slot `h & STR_CACHE_MASK` holds the last string seen there and its full hash. A hit is checked
 * byte by byte, so a collision only costs a decode.
 */
const STR_CACHE_MASK = 4095;
const strCache: string[] = new Array<string>(STR_CACHE_MASK + 1).fill('');
const strCacheHash = new Int32Array(STR_CACHE_MASK + 1);
const STR_CACHE_LEN = 64;

const hex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A 32-bit view of the last buffer's memory (the scan reuses one read buffer, so this is built once per scan). */
let lastMemory: ArrayBufferLike | undefined;
let lastWords: Uint32Array = new Uint32Array(0);

class ByteReader {
  i: number;
  /** The buffer's memory as words, and the buffer's offset in it (words are aligned on the memory, not the buffer). */
  readonly w32: Uint32Array;
  readonly base: number;
  constructor(
    readonly b: Buffer,
    start: number,
    readonly e: number,
    readonly sc: ByteSchema,
  ) {
    this.i = start;
    if (b.buffer !== lastMemory) {
      lastMemory = b.buffer;
      lastWords = new Uint32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
    }
    this.w32 = lastWords;
    this.base = b.byteOffset;
  }

  ws(): void {
    const b = this.b;
    const e = this.e;
    let i = this.i;
    while (i < e) {
      const c = b[i]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /**
   * At an opening quote: moves past the closing quote without decoding, but checking what JSON.parse checks (no raw
   * control character, valid escapes). Four bytes at a time: a word holding a quote, a backslash or a byte below 0x20
   * is looked at byte by byte (SWAR "has zero byte" / "has byte less than" tests, exact as yes/no answers).
   */
  skipStr(): void {
    const b = this.b;
    const e = this.e;
    const w32 = this.w32;
    const base = this.base;
    let q = this.i + 1;
    for (;;) {
      // Bytes up to the next word boundary, then whole words, then bytes again from the word that has a hit.
      while (q < e && ((base + q) & 3) !== 0) {
        const c = b[q]!;
        if (c === 34 || c === 92 || c < 32) break;
        q++;
      }
      if (q < e && ((base + q) & 3) === 0) {
        let w = (base + q) >> 2;
        const we = (base + e) >> 2;
        while (w < we) {
          const x = w32[w]!;
          const xq = x ^ 0x22222222;
          const xb = x ^ 0x5c5c5c5c;
          if ((((x - 0x20202020) & ~x) | ((xq - 0x01010101) & ~xq) | ((xb - 0x01010101) & ~xb)) & 0x80808080) break;
          w++;
        }
        q = (w << 2) - base;
        while (q < e) {
          const c = b[q]!;
          if (c === 34 || c === 92 || c < 32) break;
          q++;
        }
      }
      if (q >= e) throw BAD;
      const c = b[q]!;
      if (c === 34) {
        this.i = q + 1;
        return;
      }
      if (c !== 92) throw BAD; // raw control character
      const d = b[q + 1];
      if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) q += 2;
      else if (d === 117 && q + 6 <= e && hex(b[q + 2]!) && hex(b[q + 3]!) && hex(b[q + 4]!) && hex(b[q + 5]!)) q += 6;
      else throw BAD;
    }
  }

  /** At an opening quote: the decoded string, exactly as JSON.parse of the whole line has it (`fresh`: not cached). */
  str(fresh: boolean): string {
    const b = this.b;
    const e = this.e;
    const start = this.i;
    let q = start + 1;
    let h = FNV;
    let plain = true; // ASCII, no escapes
    let escaped = false;
    for (;;) {
      if (q >= e) throw BAD;
      const c = b[q]!;
      if (c === 34) break;
      if (c < 32) throw BAD;
      if (c === 92) {
        escaped = true;
        plain = false;
        q += 2;
        continue;
      }
      if (c >= 128) plain = false;
      h = Math.imul(h ^ c, FNV_PRIME);
      q++;
    }
    this.i = q + 1;
    if (escaped) {
      try {
        return JSON.parse(b.toString('utf8', start, q + 1)) as string;
      } catch {
        throw BAD;
      }
    }
    const n = q - start - 1;
    if (!plain) return b.toString('utf8', start + 1, q);
    if (fresh || n > STR_CACHE_LEN) return b.toString('latin1', start + 1, q);
    const slot = h & STR_CACHE_MASK;
    const hit = strCache[slot]!;
    if (strCacheHash[slot] === h && hit.length === n) {
      let i = 0;
      while (i < n && hit.charCodeAt(i) === b[start + 1 + i]) i++;
      if (i === n) return hit;
    }
    const s = b.toString('latin1', start + 1, q);
    strCache[slot] = s;
    strCacheHash[slot] = h;
    return s;
  }

  /** At a key's opening quote: moves past it and returns how its value is read (undefined: skipped). */
  key(): KeyEntry | undefined {
    const b = this.b;
    const e = this.e;
    const start = this.i;
    let q = start + 1;
    let h = FNV;
    let ascii = true;
    let escaped = false;
    for (;;) {
      if (q >= e) throw BAD;
      const c = b[q]!;
      if (c === 34) break;
      if (c < 32) throw BAD;
      if (c === 92) {
        escaped = true;
        q += 2;
        continue;
      }
      if (c >= 128) ascii = false;
      h = Math.imul(h ^ c, FNV_PRIME);
      q++;
    }
    this.i = q + 1;
    if (escaped) {
      let k: string;
      try {
        k = JSON.parse(b.toString('utf8', start, q + 1)) as string;
      } catch {
        throw BAD;
      }
      return this.sc.lookupName(k);
    }
    // Read keys are ASCII: any other key is not one of them.
    return ascii ? this.sc.lookup(b, start + 1, q, h) : undefined;
  }

  /** A number per the JSON grammar; its value when `want`. */
  num(want: boolean): number {
    const b = this.b;
    const e = this.e;
    const start = this.i;
    let i = start;
    let neg = false;
    if (b[i] === 45) {
      neg = true;
      i++;
    }
    if (i >= e) throw BAD;
    let c = b[i]!;
    let v = 0;
    let digits = 0;
    if (c === 48) {
      i++;
      digits = 1;
    } else if (c >= 49 && c <= 57) {
      while (i < e && (c = b[i]!) >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits++;
        i++;
      }
    } else throw BAD;
    let simple = true;
    if (i < e && b[i] === 46) {
      simple = false;
      i++;
      if (!(i < e && (c = b[i]!) >= 48 && c <= 57)) throw BAD;
      while (i < e && (c = b[i]!) >= 48 && c <= 57) i++;
    }
    if (i < e && (b[i] === 101 || b[i] === 69)) {
      simple = false;
      i++;
      if (i < e && (b[i] === 43 || b[i] === 45)) i++;
      if (!(i < e && (c = b[i]!) >= 48 && c <= 57)) throw BAD;
      while (i < e && (c = b[i]!) >= 48 && c <= 57) i++;
    }
    this.i = i;
    if (!want) return 0;
    if (simple && digits <= 15) return neg ? -v : v;
    return Number(b.toString('latin1', start, i));
  }

  lit(): unknown {
    const b = this.b;
    const i = this.i;
    const c = b[i];
    if (c === 116 && i + 4 <= this.e && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
      this.i = i + 4;
      return true;
    }
    if (c === 102 && i + 5 <= this.e && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
      this.i = i + 5;
      return false;
    }
    if (c === 110 && i + 4 <= this.e && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
      this.i = i + 4;
      return null;
    }
    throw BAD;
  }

  /** A value that is built (strings only when `keepStr`, else null; `fresh`: see ByteSchema). */
  value(keepStr: boolean, fresh: boolean): unknown {
    this.ws();
    if (this.i >= this.e) throw BAD;
    const c = this.b[this.i]!;
    if (c === 34) {
      if (keepStr) return this.str(fresh);
      this.skipStr();
      return null;
    }
    if (c === 123) return this.obj();
    if (c === 91) return this.arr();
    if (c === 45 || (c >= 48 && c <= 57)) return this.num(true);
    return this.lit();
  }

  /** A value that is validated and dropped. */
  skip(): void {
    this.ws();
    if (this.i >= this.e) throw BAD;
    const b = this.b;
    const c = b[this.i]!;
    if (c === 34) return this.skipStr();
    if (c === 45 || (c >= 48 && c <= 57)) {
      this.num(false);
      return;
    }
    if (c === 123) {
      this.i++;
      this.ws();
      if (b[this.i] === 125 && this.i < this.e) {
        this.i++;
        return;
      }
      for (;;) {
        this.ws();
        if (this.i >= this.e || b[this.i] !== 34) throw BAD;
        this.skipKey();
        this.ws();
        if (this.i >= this.e || b[this.i] !== 58) throw BAD;
        this.i++;
        this.skip();
        this.ws();
        if (this.i >= this.e) throw BAD;
        const d = b[this.i++];
        if (d === 44) continue;
        if (d === 125) return;
        throw BAD;
      }
    }
    if (c === 91) {
      this.i++;
      this.ws();
      if (b[this.i] === 93 && this.i < this.e) {
        this.i++;
        return;
      }
      for (;;) {
        this.skip();
        this.ws();
        if (this.i >= this.e) throw BAD;
        const d = b[this.i++];
        if (d === 44) continue;
        if (d === 93) return;
        throw BAD;
      }
    }
    this.lit();
  }

  /** A key that is not looked up, but checked like JSON.parse checks it (no raw control characters, valid escapes). */
  skipKey(): void {
    const b = this.b;
    const e = this.e;
    const start = this.i;
    let q = start + 1;
    let escaped = false;
    for (;;) {
      if (q >= e) throw BAD;
      const c = b[q]!;
      if (c === 34) break;
      if (c < 32) throw BAD;
      if (c === 92) {
        escaped = true;
        q += 2;
        continue;
      }
      q++;
    }
    this.i = q + 1;
    if (escaped) {
      try {
        JSON.parse(b.toString('utf8', start, q + 1));
      } catch {
        throw BAD;
      }
    }
  }

  obj(): Obj {
    const b = this.b;
    const o: Obj = {};
    this.i++;
    this.ws();
    if (this.i < this.e && b[this.i] === 125) {
      this.i++;
      return o;
    }
    for (;;) {
      this.ws();
      if (this.i >= this.e || b[this.i] !== 34) throw BAD;
      const k = this.key();
      this.ws();
      if (this.i >= this.e || b[this.i] !== 58) throw BAD;
      this.i++;
      if (k) o[k.key] = this.value(k.keepStr, k.fresh);
      else this.skip();
      this.ws();
      if (this.i >= this.e) throw BAD;
      const c = b[this.i++];
      if (c === 44) continue;
      if (c === 125) return o;
      throw BAD;
    }
  }

  arr(): unknown[] {
    const b = this.b;
    const a: unknown[] = [];
    this.i++;
    this.ws();
    if (this.i < this.e && b[this.i] === 93) {
      this.i++;
      return a;
    }
    for (;;) {
      // Array elements have no key: a string element is dropped like an unkept field.
      a.push(this.value(false, false));
      this.ws();
      if (this.i >= this.e) throw BAD;
      const c = b[this.i++];
      if (c === 44) continue;
      if (c === 93) return a;
      throw BAD;
    }
  }
}

/**
 * `parseSelective` on the UTF-8 bytes b[s, e) of one line, building only the keys of `schema` (see above). Returns
 * undefined where `JSON.parse` of the decoded line would reject it, or FALLBACK when the caller must decode the line
 * and use `JSON.parse` (it does not start with `{`, or nests absurdly deep).
 */
export function parseSelectiveBytes(b: Buffer, s: number, e: number, schema: ByteSchema): Obj | undefined | typeof FALLBACK {
  const r = new ByteReader(b, s, e, schema);
  r.ws();
  if (r.i >= e || b[r.i] !== 123) return FALLBACK;
  try {
    const o = r.obj();
    r.ws();
    if (r.i !== e) return undefined;
    return o;
  } catch (x) {
    if (x === BAD) return undefined;
    return FALLBACK;
  }
}

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
// the object), so truncated and interleaved lines are rejected like `JSON.parse` rejects them. What is not re-checked is
// the inside of skipped strings (raw control characters, invalid escapes): such a line is not JSON, no agent writes one,
// and it could only ever add a tool result, never tokens (the fields it would carry are the kept ones, which are
// decoded strictly).

/** The line needs the full `JSON.parse` (an odd construct this reader does not handle, e.g. a `__proto__` key). */
export const FALLBACK: unique symbol = Symbol('fallback');

type Obj = Record<string, unknown>;

class Bad extends Error {}
const BAD = new Bad();

const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

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
      this.i = this.strEnd();
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

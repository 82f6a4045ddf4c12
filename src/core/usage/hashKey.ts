// The 64-bit string hash the ledger stores instead of dedup keys. Its own module so the readers (in the scan worker)
// can hash Claude's keys where they are read, and the ledger on the host only looks them up.

/** Base-36 digit character codes. */
const B36 = Array.from('0123456789abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));
/** Character codes of the hash being written (reused: one flat string is made of them at the end). */
const hashCodes: number[] = [];

/** Appends the digits of `x` (0 ≤ x < 2³²) in base 36 to hashCodes: what `x.toString(36)` writes. */
function pushBase36(x: number): void {
  const start = hashCodes.length;
  do {
    const q = Math.floor(x / 36);
    hashCodes.push(B36[x - q * 36]!);
    x = q;
  } while (x > 0);
  for (let i = start, j = hashCodes.length - 1; i < j; i++, j--) {
    const t = hashCodes[i]!;
    hashCodes[i] = hashCodes[j]!;
    hashCodes[j] = t;
  }
}

/** 64-bit string hash of a dedup key: keeps the persisted sets small (collision odds ~1e-8 at a million keys). */
export function hashKey(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // `${(h2 >>> 0).toString(36)}:${(h1 >>> 0).toString(36)}`, written digit by digit: toString(36) goes through the
  // floating-point radix conversion (~4× slower), and a concatenation would keep a tree of three strings per key (~3×
  // the memory); String.fromCharCode makes one flat string.
  hashCodes.length = 0;
  pushBase36(h2 >>> 0);
  hashCodes.push(58 /* : */);
  pushBase36(h1 >>> 0);
  return String.fromCharCode.apply(null, hashCodes);
}

// Test helpers for files on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir` (recursively) with its bytes, e.g. to cut a corpus's logs and append the rest later. */
export function readTree(dir: string): Array<[string, Buffer]> {
  const files: Array<[string, Buffer]> = [];
  (function walk(d: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push([p, fs.readFileSync(p)]);
    }
  })(dir);
  return files;
}

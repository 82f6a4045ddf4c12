// Loads the CLI's bundle (dist/cli-main.js) with a V8 code cache kept in the CLI's cache folder, so a run does not
// parse and compile the ~0.5 MB bundle again: the repeat run of `tokstat usage` spends ~20–40 ms of its ~250 ms CPU
// there otherwise (docs/bench-usage.md). Node 20 has no `module.enableCompileCache()` (22.1+), so this does what it
// does, for this one file: compile the CommonJS wrapper of the bundle with `vm.Script` and its `cachedData`, and after
// a run without a usable cache, write the code V8 compiled during that run (`createCachedData()` after execution also
// holds the functions compiled lazily while the command ran).
//
// Exactness: V8 checks a cache against its own version, flags and the source's length only, so the file name carries
// a SHA-256 of the bundle's text and the V8 version; a cache of another bundle is never offered. A rejected cache (V8
// says so) is replaced. One cache per command (usage, statusline, …): each run compiles other functions. Files of
// other bundles are deleted when a new one is written. Any failure (read-only folder, a torn file) only costs the
// compile: the bundle is then loaded as usual.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire, wrap } from 'node:module';
import { PRIVATE_FILE_MODE, PRIVATE_DIR_MODE } from '../core/privateFs';

export interface CodeCacheLoad<T> {
  exports: T;
  /** 'used': compiled from the cache; 'written': none was usable, one is written at exit; 'off': plain require. */
  cache: 'used' | 'written' | 'rejected' | 'off';
}

/** The command word a cache is kept for: lower-case letters only, else `other`. */
export function cacheCommand(argv: readonly string[]): string {
  const c = argv[0];
  return c && /^[a-z]{1,20}$/.test(c) ? c : 'other';
}

/**
 * Requires `file` (a CommonJS bundle) through a code cache in `dir`. `onExit` is where the new cache is written
 * (default: the process's exit); tests pass their own.
 */
export function requireWithCodeCache<T>(file: string, dir: string | undefined, command: string, onExit: (write: () => void) => void = (w) => process.once('exit', w)): CodeCacheLoad<T> {
  const plain = (): CodeCacheLoad<T> => ({ exports: createRequire(file)(file) as T, cache: 'off' });
  if (!dir) return plain();
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return plain();
  }
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const name = `${key}-${process.versions.v8.replace(/[^0-9A-Za-z.]/g, '_')}-${command}.v8cache`;
  const cacheFile = path.join(dir, name);
  let cached: Buffer | undefined;
  try {
    cached = fs.readFileSync(cacheFile);
  } catch {
    cached = undefined;
  }
  // A shebang line is not JavaScript inside the wrapper (Node strips it the same way).
  const body = source.startsWith('#!') ? '//' + source.slice(2) : source;
  const script = new vm.Script(wrap(body), { filename: file, ...(cached ? { cachedData: cached } : {}) });
  const rejected = cached !== undefined && script.cachedDataRejected === true;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  const mod = { exports: {} as unknown, filename: file, id: file, loaded: false };
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const useful = cached !== undefined && !rejected;
  if (!useful) {
    onExit(() => {
      try {
        const data = script.createCachedData();
        fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
        fs.renameSync(tmp, cacheFile);
        for (const f of fs.readdirSync(dir)) if (f.endsWith('.v8cache') && !f.startsWith(`${key}-`)) fs.rmSync(path.join(dir, f), { force: true });
      } catch {
        /* a read-only cache folder: the next run compiles again */
      }
    });
  }
  return { exports: mod.exports as T, cache: useful ? 'used' : rejected ? 'rejected' : 'written' };
}

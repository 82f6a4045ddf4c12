// The CLI bundle's V8 code cache (src/cli/codeCache.ts): written after a run without one, used by the next, never
// offered to another bundle (same length, other text), replaced when V8 rejects it, and the bundle behaves the same
// with and without it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cacheCommand } from '../../../src/cli/codeCache';

const MODULE = path.resolve(__dirname, '../../../src/cli/codeCache.js');

interface Bundle {
  answer: number;
  dir: string;
  base: string;
  isMain: boolean;
}

/** A CommonJS "bundle" with a shebang that uses require, __dirname and module.exports, as esbuild's output does. */
function bundleText(answer: number): string {
  return `#!/usr/bin/env node\n"use strict";\nconst path = require("node:path");\nfunction f(x) { return x * 2; }\nmodule.exports = { answer: f(${answer}), dir: __dirname, base: path.basename(__filename), isMain: require.main === module };\n`;
}

function setup(): { dir: string; file: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-code-cache-'));
  const file = path.join(dir, 'cli-main.js');
  fs.writeFileSync(file, bundleText(21));
  return { dir, file, cache: path.join(dir, 'cache', 'code') };
}

/**
 * Loads the bundle in a fresh process, as the CLI does (V8 keeps compiled scripts in memory, so a second load in this
 * process would never consult the file), and writes the pending cache at that process's exit.
 */
function load(file: string, cache: string | undefined, command = 'usage'): { cache: string; exports: Bundle } {
  const script = `const r = require(${JSON.stringify(MODULE)}).requireWithCodeCache(process.argv[1], process.argv[2] || undefined, process.argv[3]);
process.stdout.write(JSON.stringify({ cache: r.cache, exports: r.exports }));`;
  const r = spawnSync(process.execPath, ['-e', script, file, cache ?? '', command], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { cache: string; exports: Bundle };
}

test('a run without a cache writes one; the next run uses it and gets the same exports', () => {
  const { dir, file, cache } = setup();
  try {
    const first = load(file, cache);
    assert.equal(first.cache, 'written');
    assert.deepEqual(first.exports, { answer: 42, dir, base: 'cli-main.js', isMain: false });
    const files = fs.readdirSync(cache);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^[0-9a-f]{16}-.+-usage\.v8cache$/);
    assert.ok(fs.statSync(path.join(cache, files[0]!)).size > 0);
    const written = fs.readFileSync(path.join(cache, files[0]!));
    const second = load(file, cache);
    assert.equal(second.cache, 'used');
    assert.deepEqual(fs.readFileSync(path.join(cache, files[0]!)), written, 'a used cache is not written again');
    assert.deepEqual(second.exports, first.exports);
    // Another command keeps its own cache.
    assert.equal(load(file, cache, 'statusline').cache, 'written');
    assert.equal(fs.readdirSync(cache).length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('another bundle of the same length is never given the old cache, and the old caches are deleted', () => {
  const { dir, file, cache } = setup();
  try {
    load(file, cache);
    load(file, cache, 'blocks');
    const before = fs.readdirSync(cache);
    assert.equal(before.length, 2);
    const next = bundleText(31);
    assert.equal(next.length, fs.readFileSync(file, 'utf8').length, 'same length: V8 alone could not tell them apart');
    fs.writeFileSync(file, next);
    const r = load(file, cache);
    assert.equal(r.cache, 'written');
    assert.equal(r.exports.answer, 62, "the new bundle's code ran");
    const after = fs.readdirSync(cache);
    assert.equal(after.length, 1);
    assert.ok(!before.includes(after[0]!));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged cache is rejected, the bundle still runs, and the cache is replaced', () => {
  const { dir, file, cache } = setup();
  try {
    load(file, cache);
    const name = fs.readdirSync(cache)[0]!;
    const good = fs.readFileSync(path.join(cache, name));
    fs.writeFileSync(path.join(cache, name), Buffer.alloc(good.length, 7));
    const r = load(file, cache);
    assert.equal(r.cache, 'rejected');
    assert.equal(r.exports.answer, 42);
    assert.equal(load(file, cache).cache, 'used', 'the replacement is used');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without a cache folder, or when it cannot be written, the bundle is loaded as usual', () => {
  const { dir, file } = setup();
  try {
    const off = load(file, undefined);
    assert.equal(off.cache, 'off');
    assert.equal(off.exports.answer, 42);
    // A cache "folder" that is a file: nothing can be written there, and nothing fails.
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, '');
    const r = load(file, path.join(blocked, 'code'));
    assert.equal(r.cache, 'written');
    assert.equal(r.exports.answer, 42);
    assert.ok(!fs.existsSync(path.join(blocked, 'code')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache is kept per command word; anything else is "other"', () => {
  assert.equal(cacheCommand(['usage', 'daily']), 'usage');
  assert.equal(cacheCommand(['statusline']), 'statusline');
  assert.equal(cacheCommand([]), 'other');
  assert.equal(cacheCommand(['--version']), 'other');
  assert.equal(cacheCommand(['../x']), 'other');
});

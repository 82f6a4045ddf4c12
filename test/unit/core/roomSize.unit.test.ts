// "No room over ~400 lines without a stated reason" (docs/architecture.md, "Rooms over 400 lines"), checked: every
// source file over the limit is listed there with a reason, and every listed file is still over it (a stale entry
// would excuse a file that no longer needs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const LIMIT = 400;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function lineCount(rel: string): number {
  return fs.readFileSync(path.join(root, rel), 'utf8').replace(/\n$/, '').split('\n').length;
}

function statedReasons(): Map<string, string> {
  const doc = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Rooms over 400 lines'));
  assert.ok(section, 'docs/architecture.md has a "Rooms over 400 lines" section');
  const reasons = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)) reasons.set(m[1]!, m[2]!.trim());
  return reasons;
}

test(`every file over ${LIMIT} lines in src/ and webview/ has a stated reason, and every reason a file that needs it`, () => {
  const reasons = statedReasons();
  const big = [...sourceFiles('src'), ...sourceFiles('webview')].filter((f) => lineCount(f) > LIMIT);
  const unlisted = big.filter((f) => !reasons.has(f)).map((f) => `${f} (${lineCount(f)} lines)`);
  assert.deepEqual(unlisted, [], 'split these files along their seams, or state why they stay one room');
  const stale = [...reasons.keys()].filter((f) => !fs.existsSync(path.join(root, f)) || lineCount(f) <= LIMIT);
  assert.deepEqual(stale, [], 'these files no longer need a stated reason: remove their rows');
  for (const [f, why] of reasons) assert.ok(why.length >= 40, `${f}: the reason says why, in a sentence`);
});

// package.json `contributes.commands` and the code's registrations are the same list, through CommandIds: a command
// added to one side only (package.json, CommandIds, or a registration with its own string) fails here.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandIds } from '../../../src/commands/ids';

const ROOT = path.resolve(__dirname, '../../../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The first argument of every registerCommand(…) call in src/, as written, with the file it is in. */
function registrations(): { arg: string; file: string }[] {
  const out: { arg: string; file: string }[] = [];
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    // Without comments (ids.ts's own doc names a registration).
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(/\bregisterCommand\(\s*([^,)]+)/g)) out.push({ arg: m[1]!.trim(), file: path.relative(ROOT, file) });
  }
  return out;
}

test('package.json contributes exactly the commands in CommandIds', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = pkg.contributes.commands.map((c) => c.command);
  assert.equal(new Set(contributed).size, contributed.length, 'a command is contributed twice');
  assert.deepEqual([...contributed].sort(), Object.values(CommandIds).sort());
});

test('every registration uses CommandIds, and every command in CommandIds is registered exactly once', () => {
  const regs = registrations();
  const literal = regs.filter((r) => !/^CommandIds\.\w+$/.test(r.arg));
  assert.deepEqual(literal, [], 'register commands with CommandIds.<name>, not a string of their own');
  const registered = regs.map((r) => r.arg.slice('CommandIds.'.length));
  for (const name of registered) assert.ok(name in CommandIds, `CommandIds.${name} does not exist`);
  assert.deepEqual([...registered].sort(), Object.keys(CommandIds).sort(), 'each command is registered once');
});

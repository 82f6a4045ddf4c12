// The README's provider table and the settings' descriptions document every provider; this keeps them honest as
// providers are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROVIDERS } from '../../../src/core/providers/registry';
import { UNSUPPORTED } from '../../../src/core/providers/unsupported';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
// The manifest's texts live in package.nls.json (`%key%` in package.json): read them as VS Code shows them in English.
const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'), (_k, v: unknown) =>
  typeof v === 'string' && /^%[^%\s]+%$/.test(v) ? (nls[v.slice(1, -1)] ?? v) : v,
) as {
  contributes: { configuration: { properties: Record<string, { markdownDescription?: string }> } };
};

test('every provider is in the README table with its endpoints marked official or undocumented', () => {
  for (const p of PROVIDERS) {
    const row = readme.split('\n').find((l) => l.includes(`| \`${p.id}\` |`));
    assert.ok(row, `README has a row for ${p.id}`);
    for (const e of p.endpoints) {
      assert.ok(row.includes(`\`${e.path}\` — ${e.official ? 'official' : '**undocumented**'}`), `${p.id} ${e.path} marked correctly`);
    }
  }
});

test('every provider without a usage API is explained in the README', () => {
  for (const u of UNSUPPORTED) assert.ok(readme.includes(`| ${u.name} |`), `README explains ${u.name}`);
});

test('the poll-interval setting documents every provider default and says polling spends quota', () => {
  const d = pkg.contributes.configuration.properties['tokstat.pollIntervals']?.markdownDescription ?? '';
  assert.match(d, /spends API quota/);
  for (const p of PROVIDERS) assert.ok(d.includes(`\`${p.id}\` ${p.defaultPollSeconds} (min ${p.minPollSeconds})`), `pollIntervals documents ${p.id}`);
  const e = pkg.contributes.configuration.properties['tokstat.endpoints']?.markdownDescription ?? '';
  for (const p of PROVIDERS) assert.ok(e.includes(`\`${p.id}\``), `endpoints documents ${p.id}`);
});

test('providers have unique ids and sane polling floors', () => {
  assert.equal(new Set(PROVIDERS.map((p) => p.id)).size, PROVIDERS.length);
  for (const p of PROVIDERS) {
    assert.ok(p.minPollSeconds >= 60 && p.defaultPollSeconds >= p.minPollSeconds, `${p.id} polls no faster than once a minute`);
    assert.ok(p.endpoints.length > 0, `${p.id} lists its endpoints`);
  }
  assert.ok(PROVIDERS.find((p) => p.id === 'claude')!.minPollSeconds >= 180, 'Claude is never polled faster than every 3 minutes');
});

test('every setting in package.json is documented in the README settings table, with its default', () => {
  const conf = (pkg as unknown as { contributes: { configuration: { properties: object } | Array<{ properties: object }> } }).contributes.configuration;
  const props = Array.isArray(conf) ? Object.assign({}, ...conf.map((c) => c.properties)) : conf.properties;
  const rows = readme.split('\n').filter((l) => l.startsWith('| `tokstat.'));
  for (const [key, spec] of Object.entries(props as Record<string, { default?: unknown }>)) {
    const row = rows.find((l) => l.startsWith(`| \`${key}\` |`));
    assert.ok(row, `${key} missing from the README settings table`);
    const def = spec.default;
    if (typeof def === 'string' && def.startsWith('https://')) continue; // a URL default is described in words
    const shown = row!.split('|')[2]!.trim().replace(/^`|`$/g, '');
    const compact = shown.replace(/\s+/g, '');
    const ok = compact === JSON.stringify(def) || (typeof def === 'string' && compact === def);
    assert.ok(ok, `${key}: README default ${shown}, package.json ${JSON.stringify(def)}`);
  }
  for (const r of rows) {
    const key = /^\| `([^`]+)`/.exec(r)![1]!;
    assert.ok(key in props, `README documents ${key}, which package.json does not declare`);
  }
});

// UsageFeature (src/features/usage/feature.ts) against a minimal in-memory `vscode`: `tokstat.localUsage.enabled`
// turned off while VS Code runs stops reading the agents' logs and empties what the views read; turned on again, the
// usage comes back; another agent folder in the settings is read at once. Runs in a temporary HOME with one Claude Code log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../../src/core/log';
import type * as FeatureModule from '../../../src/features/usage/feature';
import { withVscodeStub } from '../../support/vscodeStub';

/** The view progress bars the feature showed: where, and whether the task behind each has finished. */
const progressBars: Array<{ location: unknown; finished: boolean }> = [];
const fakeVscode = {
  window: {
    withProgress: (opts: { location: unknown }, task: () => Promise<void>) => {
      const bar = { location: opts.location, finished: false };
      progressBars.push(bar);
      return task().then(() => void (bar.finished = true));
    },
  },
};
const { UsageFeature } = withVscodeStub(fakeVscode, () => require('../../../src/features/usage/feature') as typeof FeatureModule);

let dir = '';
const saved: Record<string, string | undefined> = {};
const ENV = ['HOME', 'CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'GEMINI_DATA_DIR', 'OPENCODE_DATA_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME'];
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-usagefeature-'));
  for (const k of ENV) saved[k] = process.env[k];
  for (const k of ENV) delete process.env[k];
  process.env.HOME = path.join(dir, 'home');
  const file = path.join(dir, 'home', '.claude', 'projects', '-w-app', 'live.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const line = (n: number, input: number) =>
    JSON.stringify({
      type: 'assistant', sessionId: 'live', cwd: '/w/app', version: '2.1.0', requestId: `req_${n}`, timestamp: new Date().toISOString(),
      message: { id: `msg_${n}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: input, output_tokens: 1 } },
    });
  fs.writeFileSync(file, `${line(1, 100)}\n${line(2, 200)}\n`);
});
after(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('local usage turned off while running: the logs are no longer read and the views are empty; back on, it returns; a new folder is read at once', async () => {
  let enabled = true;
  let folders: string[] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m), debug: () => undefined, trace: () => undefined } as unknown as Logger;
  const feature = new UsageFeature({
    storage: path.join(dir, 'storage'),
    extensionPath: path.join(dir, 'no-extension'), // no dist/usageWorker.js: the scanner reads inline
    log,
    http: { request: async () => ({ status: 503, text: '', headers: {} }) } as never,
    apiLog: { onDidAppend: () => ({ dispose() {} }) } as never,
    settings: {
      enabled: () => enabled,
      claudeConfigDirs: () => folders,
      codexHomes: () => [],
      geminiDirs: () => [],
      opencodeDirs: () => [],
      copilotHomes: () => [],
      pricingOffline: () => true,
      pricingUrl: () => undefined,
      pricingOverrides: () => undefined,
    },
    isLeader: () => true,
  });
  let changes = 0;
  feature.onDidChange(() => changes++);
  try {
    await feature.start();
    const tokens = () => feature.viewSource.index.rows().reduce((n, r) => n + r.inputTokens, 0);
    assert.equal(tokens(), 300, 'both requests read');
    await Promise.resolve();
    assert.deepEqual(progressBars, [{ location: { viewId: 'tokstat.accounts' }, finished: true }], 'the first read showed the view progress bar, and it ended');
    assert.equal(feature.viewSource.scanProgress?.(), undefined, 'no scan in the view once it is done');
    assert.ok(logs.some((l) => /reading 1 log file\(s\) for the first time/.test(l)));
    assert.ok(feature.totals());

    enabled = false;
    const before = changes;
    await feature.applyEnabled();
    assert.equal(feature.scanner, undefined, 'the scanner is stopped');
    assert.deepEqual(feature.viewSource.index.rows(), [], 'the views read nothing');
    assert.equal(feature.totals(), undefined);
    assert.ok(changes > before, 'the views are told');
    assert.ok(logs.some((l) => /turned off: the logs are no longer read/.test(l)));
    await feature.applyEnabled(); // already off: nothing happens
    assert.equal(feature.scanner, undefined);

    enabled = true;
    await feature.applyEnabled();
    assert.ok(feature.scanner, 'started again');
    assert.equal(tokens(), 300);

    // Another Claude Code folder in the settings: read at once, without a restart of VS Code.
    const extra = path.join(dir, 'extra-claude');
    const file = path.join(extra, 'projects', '-w-other', 'other.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'assistant', sessionId: 'other', cwd: '/w/other', version: '2.1.0', requestId: 'req_x', timestamp: new Date().toISOString(),
        message: { id: 'msg_x', model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 50, output_tokens: 1 } },
      }) + '\n',
    );
    folders = [extra];
    const first = feature.scanner;
    await feature.applyFolders();
    assert.notEqual(feature.scanner, first, 'a new scanner on the new folders');
    assert.equal(tokens(), 350);
    assert.ok(logs.some((l) => /folders changed: reading them again/.test(l)));
  } finally {
    feature.dispose();
  }
});

test('turned off while it is still starting: the start undoes itself', async () => {
  let enabled = true;
  const feature = new UsageFeature({
    storage: path.join(dir, 'storage2'),
    extensionPath: path.join(dir, 'no-extension'),
    log: { info() {}, warn() {}, error() {}, debug() {}, trace() {} } as unknown as Logger,
    http: { request: async () => ({ status: 503, text: '', headers: {} }) } as never,
    apiLog: { onDidAppend: () => ({ dispose() {} }) } as never,
    settings: { enabled: () => enabled, claudeConfigDirs: () => [], codexHomes: () => [], geminiDirs: () => [], opencodeDirs: () => [],
      copilotHomes: () => [], pricingOffline: () => true, pricingUrl: () => undefined, pricingOverrides: () => undefined },
    isLeader: () => true,
  });
  try {
    const starting = feature.start();
    enabled = false;
    await feature.applyEnabled();
    await starting;
    assert.equal(feature.scanner, undefined, 'no scanner left running');
    assert.deepEqual(feature.viewSource.index.rows(), []);
  } finally {
    feature.dispose();
  }
});

// "tokstat: Export Usage History" (src/commands/exportHistory.ts) against a minimal in-memory `vscode` and a real
// history store in a temporary folder: the pickers and the save dialog (each dismissal ends the command with nothing
// read or written), the range filter, the CSV and JSON files, a cancelled or failed export (the previous file stays,
// no temporary file is left), a target outside the local disk, and no credential anywhere in the file or the log.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as ExportModule from '../../../src/commands/exportHistory';
import type { CommandDeps } from '../../../src/commands/deps';
import { HistoryStore } from '../../../src/core/history/store';
import { nullLogger, type Logger } from '../../../src/core/log';
import { makeMeter, type Account, type Meter } from '../../../src/shared/model';
import { withVscodeStub } from '../../support/vscodeStub';

interface FakeUri {
  scheme: string;
  fsPath: string;
  path: string;
}
const uri = (scheme: string, p: string): FakeUri => ({ scheme, fsPath: p, path: p });

type QuickPickItem = { label: string; picked?: boolean } & Record<string, unknown>;
/** What the user does, step by step; each answer function gets what was shown. */
interface Script {
  accounts?: (items: QuickPickItem[]) => QuickPickItem[] | undefined;
  range?: string | undefined;
  format?: string | undefined;
  save?: FakeUri | undefined;
  /** The user cancels the progress once the export has looked at the cancellation token this many times. */
  cancelAfterChecks?: number;
  info?: string;
}

let script: Script = {};
let events: string[] = [];
let messages: Array<[string, string]> = [];
let executed: unknown[][] = [];
let copies: Array<[string, string]> = [];
let saveOptions: { defaultUri?: FakeUri; filters?: unknown } | undefined;
const handlers = new Map<string, () => Promise<void>>();

const vscodeStub = {
  window: {
    showQuickPick: async (items: QuickPickItem[], opts: { title: string }) => {
      events.push(`pick ${opts.title.slice(-5)}`);
      if (opts.title.endsWith('(1/3)')) return (script.accounts ?? ((xs) => xs.filter((x) => x.picked)))(items);
      const want = opts.title.endsWith('(2/3)') ? script.range : script.format;
      return want === undefined ? undefined : items.find((x) => x.label === want);
    },
    showSaveDialog: async (opts: { defaultUri?: FakeUri; filters?: unknown }) => {
      events.push('save');
      saveOptions = opts;
      return script.save;
    },
    withProgress: async (_opts: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) => {
      events.push('progress');
      let checks = 0;
      const progress = { report: (r: { message?: string }) => void events.push(`report ${r.message}`) };
      const token = {
        get isCancellationRequested() {
          return script.cancelAfterChecks !== undefined && ++checks > script.cancelAfterChecks;
        },
        onCancellationRequested: () => ({ dispose() {} }),
      };
      return task(progress, token);
    },
    showInformationMessage: async (m: string) => {
      messages.push(['info', m]);
      return script.info;
    },
    showWarningMessage: async (m: string) => void messages.push(['warn', m]),
    showErrorMessage: async (m: string) => void messages.push(['error', m]),
  },
  workspace: {
    workspaceFolders: undefined as undefined | Array<{ uri: FakeUri }>,
    fs: {
      copy: async (from: FakeUri, to: FakeUri) => {
        copies.push([fs.readFileSync(from.fsPath, 'utf8'), `${to.scheme}:${to.path}`]);
      },
    },
  },
  commands: {
    registerCommand: (id: string, fn: () => Promise<void>) => {
      handlers.set(id, fn);
      return { dispose: () => handlers.delete(id) };
    },
    executeCommand: async (...args: unknown[]) => void executed.push(args),
  },
  Uri: { file: (p: string) => uri('file', p), joinPath: (u: FakeUri, ...parts: string[]) => uri(u.scheme, path.posix.join(u.path, ...parts)) },
  ProgressLocation: { Notification: 15 },
};

const { registerExportHistory } = withVscodeStub(vscodeStub, () => {
  // The command loads the insights chunk (which imports `vscode` too) on first use: load it with the stub in place.
  require('../../../src/features/insights/chunk');
  return require('../../../src/commands/exportHistory') as typeof ExportModule;
});

const NOW = Date.now();
const DAY = 86_400_000;
const SECRETS = ['sk-live-SECRET1', 'SECRET2', 'tok:SECRET3', 'llm.example.com', 'api_key', 'ghe.example'];
const ACCOUNTS: Account[] = [
  {
    id: 'acc-work',
    providerId: 'custom-openai',
    name: 'Work',
    createdAt: 0,
    authKind: 'api-key',
    // What a careless config could hold: a key in the base URL's query string, credentials in a host URL.
    settings: { baseUrl: 'https://llm.example.com/v1?api_key=sk-live-SECRET1', apiKey: 'SECRET2', enterpriseHost: 'https://tok:SECRET3@ghe.example' },
  },
  { id: 'acc-home', providerId: 'openrouter', name: '=HYPERLINK("http://evil","x")', createdAt: 0, authKind: 'api-key', settings: { baseUrl: 'https://llm.example.com/?api_key=sk-live-SECRET1' } },
];
const meter = (id: string, label: string, unit: string, t: number, x: Partial<Meter>): Meter =>
  makeMeter({ id, label, kind: 'quota', unit, source: 'official', capturedAt: t, ...x } as Parameters<typeof makeMeter>[0]);
/** What each account shows now: labels and units come from here; `model:old` is no longer shown. */
const CURRENT: Record<string, Meter[]> = {
  'acc-work': [meter('credits', 'Credits', 'USD', NOW, { used: 12.5, limit: 100 })],
  'acc-home': [meter('premium', 'Premium requests', 'requests', NOW, { used: 40, limit: 300 })],
};

let dir = '';
let store: HistoryStore;
let logs: string[] = [];
let chunkCalls: string[] = [];
let failChunks = false;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-export-cmd-'));
  store = new HistoryStore({ folder: path.join(dir, 'history'), log: nullLogger, compactEveryMs: 0 });
  await store.start();
  // Ten days ago (outside "Last 7 days") and an hour ago, for both accounts; a meter the account no longer shows.
  for (const t of [NOW - 10 * DAY, NOW - 3_600_000]) {
    await store.record('acc-work', [meter('credits', 'Credits', 'USD', t, { used: t === NOW - 3_600_000 ? 12.5 : 2, limit: 100 }), meter('model:old', 'x', 'y', t, { remaining: -3 })], t);
    await store.record('acc-home', [meter('premium', 'Premium requests', 'requests', t, { used: t === NOW - 3_600_000 ? 40 : 10, limit: 300 })], t);
  }
});
after(() => {
  store.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  script = {};
  events = [];
  messages = [];
  executed = [];
  copies = [];
  logs = [];
  chunkCalls = [];
  failChunks = false;
  saveOptions = undefined;
  vscodeStub.workspace.workspaceFolders = undefined;
});

function deps(accounts: Account[] = ACCOUNTS): CommandDeps {
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m), debug: () => undefined, trace: () => undefined } as Logger;
  return {
    repo: { list: () => accounts, get: (id: string) => accounts.find((a) => a.id === id) },
    model: {
      entry: (id: string) => ({ providerName: id === 'acc-work' ? 'Custom' : 'OpenRouter', snapshot: { accountId: id, takenAt: NOW, status: 'ok', meters: CURRENT[id] ?? [] } }),
    },
    insights: {
      exportChunks: (id: string, from: number | undefined, to: number) => {
        chunkCalls.push(id);
        events.push(`read ${id}`);
        if (failChunks) throw new Error('the usage history is still loading; try again in a moment.');
        return store.exportChunks(id, { ...(from !== undefined ? { from } : {}), to }, 1);
      },
    },
    log,
  } as unknown as CommandDeps;
}

async function runCommand(d: CommandDeps = deps()): Promise<void> {
  const disposable = registerExportHistory(d);
  try {
    await handlers.get('tokstat.exportHistory')!();
  } finally {
    disposable.dispose();
  }
}

function outDir(): string {
  const d = fs.mkdtempSync(path.join(dir, 'out-'));
  return d;
}

const noSecrets = (text: string, what: string) => {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} contains ${s}`);
};

test('CSV: asks accounts, range, format, then the file — before reading any history; every sample with its account, provider, label and unit; no credential', async () => {
  const target = path.join(outDir(), 'h.csv');
  script = { range: 'Everything', format: 'CSV', save: uri('file', target), info: 'Open' };
  await runCommand();
  assert.deepEqual(events.slice(0, 4), ['pick (1/3)', 'pick (2/3)', 'pick (3/3)', 'save'], 'the target is asked for before anything is read');
  assert.deepEqual(events.slice(4), ['progress', 'report Work (1 of 2)', 'read acc-work', 'report =HYPERLINK("http://evil","x") (2 of 2)', 'read acc-home']);
  assert.equal(saveOptions?.defaultUri?.scheme, 'file');
  assert.match(saveOptions!.defaultUri!.path, /tokstat-history-\d{4}-\d\d-\d\d\.csv$/);
  const text = fs.readFileSync(target, 'utf8');
  const lines = text.split('\r\n');
  assert.equal(lines[0], 'account,accountId,provider,meter,meterLabel,unit,time,used,limit,remaining,percentUsed,resetsAt,resolution,source,capturedAt');
  assert.equal(lines.length, 1 + 6 + 1);
  const cells = lines.slice(1, -1).map((l) => l.split(','));
  assert.deepEqual(
    cells.map((c) => c.slice(0, 6)),
    [
      ['Work', 'acc-work', 'custom-openai', 'credits', 'Credits', 'USD'],
      ['Work', 'acc-work', 'custom-openai', 'credits', 'Credits', 'USD'],
      ['Work', 'acc-work', 'custom-openai', 'model:old', '', ''],
      ['Work', 'acc-work', 'custom-openai', 'model:old', '', ''],
      // The name a spreadsheet would run as a formula is quoted and starts with '.
      [`"'=HYPERLINK(""http://evil""`, `""x"")"`, 'acc-home', 'openrouter', 'premium', 'Premium requests'],
      [`"'=HYPERLINK(""http://evil""`, `""x"")"`, 'acc-home', 'openrouter', 'premium', 'Premium requests'],
    ],
  );
  assert.deepEqual(cells.slice(0, 2).map((c) => [c[7], c[8], c[12], c[13]]), [['2', '100', 'raw', 'official'], ['12.5', '100', 'raw', 'official']]);
  assert.equal(cells[2]![9], '-3', 'a negative number stays a number');
  noSecrets(text, 'the CSV');
  noSecrets(logs.join('\n') + messages.map((m) => m[1]).join('\n'), 'the log and messages');
  assert.deepEqual(fs.readdirSync(path.dirname(target)), ['h.csv'], 'no temporary file left');
  assert.deepEqual(messages, [['info', `tokstat: exported 6 samples to ${target}.`]]);
  assert.deepEqual(executed, [['vscode.open', uri('file', target)]]);
  assert.ok(logs.some((l) => /6 history rows of 2 account/.test(l)));
});

test('JSON: one valid document; the range filter keeps the last 7 days; only the picked accounts; no credential', async () => {
  const target = path.join(outDir(), 'h.json');
  vscodeStub.workspace.workspaceFolders = [{ uri: uri('vscode-vfs', '/github/repo') }, { uri: uri('file', '/work/project') }];
  script = { accounts: (items) => items.filter((i) => i.label === 'Work'), range: 'Last 7 days', format: 'JSON', save: uri('file', target) };
  await runCommand();
  assert.equal(saveOptions?.defaultUri?.scheme, 'file', 'the first workspace folder on disk is proposed');
  assert.match(saveOptions!.defaultUri!.path, /^\/work\/project\/tokstat-history-.*\.json$/);
  assert.deepEqual(saveOptions?.filters, { JSON: ['json'] });
  assert.deepEqual(chunkCalls, ['acc-work']);
  const text = fs.readFileSync(target, 'utf8');
  const doc = JSON.parse(text) as { format: string; from: string; to: string; accounts: unknown[]; rows: Array<Record<string, unknown>> };
  assert.equal(doc.format, 'tokstat-usage-history');
  assert.deepEqual(doc.accounts, [{ account: 'Work', accountId: 'acc-work', provider: 'custom-openai' }]);
  const span = Date.parse(doc.to) - Date.parse(doc.from);
  assert.equal(span, 7 * DAY);
  assert.deepEqual(
    doc.rows.map((r) => [r.meter, r.meterLabel, r.unit, r.used, r.remaining]),
    [
      ['credits', 'Credits', 'USD', 12.5, 87.5],
      ['model:old', null, null, null, -3],
    ],
    'only the sample of an hour ago; the ten-day-old one is outside the range',
  );
  noSecrets(text, 'the JSON');
  assert.deepEqual(messages, [['info', `tokstat: exported 2 samples to ${target}.`]]);
  assert.deepEqual(executed, [], 'not opened unless asked');
});

test('each dismissal ends the command with nothing read or written', async () => {
  const target = path.join(outDir(), 'never.csv');
  const cases: Array<[string, Script, string[]]> = [
    ['accounts dismissed', { accounts: () => undefined }, ['pick (1/3)']],
    ['no account picked', { accounts: () => [] }, ['pick (1/3)']],
    ['range dismissed', { range: undefined }, ['pick (1/3)', 'pick (2/3)']],
    ['format dismissed', { range: 'Everything', format: undefined }, ['pick (1/3)', 'pick (2/3)', 'pick (3/3)']],
    ['save dialog dismissed', { range: 'Everything', format: 'CSV', save: undefined }, ['pick (1/3)', 'pick (2/3)', 'pick (3/3)', 'save']],
  ];
  for (const [name, s, expected] of cases) {
    events = [];
    script = { save: uri('file', target), ...s };
    await runCommand();
    assert.deepEqual(events, expected, name);
    assert.deepEqual(chunkCalls, [], `${name}: no history read`);
    assert.equal(fs.existsSync(target), false, `${name}: no file`);
  }
  assert.deepEqual(messages, []);
  events = [];
  await runCommand(deps([]));
  assert.deepEqual(events, [], 'no accounts: no picker');
  assert.match(messages[0]![1], /no history to export yet/);
});

test('progress cancelled: the previous file stays as it was, no temporary file, and the user is told', async () => {
  const d = outDir();
  const target = path.join(d, 'h.csv');
  fs.writeFileSync(target, 'previous export\r\n');
  // Cancelled after the first chunk (one sample here) of the first account was written.
  script = { range: 'Everything', format: 'CSV', save: uri('file', target), cancelAfterChecks: 2 };
  await runCommand();
  assert.deepEqual(chunkCalls, ['acc-work'], 'stopped in the first account');
  assert.equal(fs.readFileSync(target, 'utf8'), 'previous export\r\n');
  assert.deepEqual(fs.readdirSync(d), ['h.csv']);
  assert.deepEqual(messages, [['info', 'tokstat: export cancelled; nothing was written.']]);
  assert.deepEqual(executed, []);
});

test('an export that fails (history still loading) shows the error and leaves the previous file and no temporary file', async () => {
  const d = outDir();
  const target = path.join(d, 'h.json');
  fs.writeFileSync(target, '{"old":true}');
  failChunks = true;
  script = { range: 'Everything', format: 'JSON', save: uri('file', target) };
  await runCommand();
  assert.equal(fs.readFileSync(target, 'utf8'), '{"old":true}');
  assert.deepEqual(fs.readdirSync(d), ['h.json']);
  assert.deepEqual(messages, [['error', 'tokstat: export failed: the usage history is still loading; try again in a moment.']]);
});

test('a target outside the local disk is written locally first and copied in whole', async () => {
  script = { range: 'Everything', format: 'CSV', save: uri('vscode-vfs', '/github/repo/h.csv') };
  const tmpBefore = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('tokstat-export-'));
  await runCommand();
  assert.equal(copies.length, 1);
  assert.equal(copies[0]![1], 'vscode-vfs:/github/repo/h.csv');
  assert.equal(copies[0]![0].split('\r\n').length, 1 + 6 + 1);
  assert.deepEqual(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('tokstat-export-')), tmpBefore, 'the local copy is removed');
  assert.match(messages[0]![1], /exported 6 samples/);
});

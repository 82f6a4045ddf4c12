// Add Account builds its picker and picks its flow from what each provider declares (`pickerGroup`, `signIn` in
// src/core/providers/types.ts), not from provider ids or display names (issue #17): a provider is one file plus one
// registry line. Runs src/commands/addAccount.ts against an in-memory `vscode` that records what is shown.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as AddAccountModule from '../../../src/commands/addAccount';
import type { CommandDeps } from '../../../src/commands/deps';
import { PROVIDERS } from '../../../src/core/providers/registry';
import type { ProviderDefinition } from '../../../src/core/providers/types';
import { UNSUPPORTED } from '../../../src/core/providers/unsupported';
import { withVscodeStub } from '../../support/vscodeStub';
import { systemClock } from '../../../src/core/clock';
import { nullLogger } from '../../../src/core/log';
import { UndiciHttpClient } from '../../../src/core/undiciClient';
import { geminiOauthCreds } from '../../builders/gemini';
import { GeminiFake } from '../../fakes/geminiFake';

const SEPARATOR = -1;
type Shown = {
  kind: 'quickPick' | 'info' | 'warning' | 'inputBox';
  title?: string;
  message?: string;
  detail?: string;
  items?: Array<{ label: string; description?: string; kind?: number; provider?: ProviderDefinition }>;
};
const shown: Shown[] = [];
/** What the next information message answers (the button's label), undefined = dismissed. */
let infoAnswer: string | undefined;
const handlers = new Map<string, (...args: unknown[]) => Promise<void>>();

const fakeVscode = {
  QuickPickItemKind: { Separator: SEPARATOR },
  InputBoxValidationSeverity: { Info: 1, Warning: 2, Error: 3 },
  ProgressLocation: { Notification: 15 },
  env: { remoteName: undefined },
  l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)])) },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => Promise<void>) => {
      handlers.set(id, fn);
      return { dispose() {} };
    },
  },
  window: {
    showQuickPick: async (items: Shown['items'], opts: { title?: string }) => {
      shown.push({ kind: 'quickPick', title: opts.title, items });
      return undefined;
    },
    showInformationMessage: async (message: string, opts?: { detail?: string }) => {
      shown.push({ kind: 'info', message, detail: opts?.detail });
      return infoAnswer;
    },
    showWarningMessage: async (message: string, opts?: { detail?: string }) => {
      shown.push({ kind: 'warning', message, detail: opts?.detail });
      return undefined;
    },
    showErrorMessage: async (message: string) => void shown.push({ kind: 'warning', message }),
    withProgress: async (_opts: unknown, task: (p: unknown, t: { onCancellationRequested(): void }) => Promise<unknown>) => task({}, { onCancellationRequested() {} }),
    createInputBox: () => {
      const listeners: { hide?: () => void } = {};
      const box = {
        title: '',
        onDidChangeValue: () => ({ dispose() {} }),
        onDidAccept: () => ({ dispose() {} }),
        onDidHide: (fn: () => void) => {
          listeners.hide = fn;
          return { dispose() {} };
        },
        // The person dismisses the key box at once: the flow must end without saving anything.
        show: () => {
          shown.push({ kind: 'inputBox', title: box.title });
          listeners.hide?.();
        },
        dispose() {},
      };
      return box;
    },
  },
};

/** Puts the environment back key by key: assigning `process.env` a plain object would cut it off from os.homedir(). */
function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
}

const addAccount = withVscodeStub(fakeVscode, () => require('../../../src/commands/addAccount') as typeof AddAccountModule);

const githubCalls: string[] = [];
const added: unknown[] = [];
const deps = {
  log: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  config: { enterpriseHost: () => '', oauthClientId: () => '', localUsageDirs: () => [] },
  github: {
    providerId: () => 'github',
    getAccounts: async (id: string) => {
      githubCalls.push(id);
      return [];
    },
  },
  repo: { list: () => [], add: async (a: unknown) => void added.push(a) },
  fetcherDeps: {
    endpoints: () => (gemini ? { 'gemini-cli': gemini.baseUrl } : {}),
    http: new UndiciHttpClient(nullLogger),
    clock: systemClock,
    log: nullLogger,
    requestTimeoutMs: () => 5000,
  },
} as unknown as CommandDeps;
let gemini: GeminiFake | undefined;
addAccount.registerAddAccount(deps);
const run = (providerId?: string) => handlers.get('tokstat.addAccount')!(providerId);

afterEach(() => {
  shown.length = 0;
  githubCalls.length = 0;
  infoAnswer = undefined;
});

/** The picker as "section: provider ids" lines. */
function sections(items: ReturnType<typeof addAccount.providerPickerItems>): string[] {
  const out: string[] = [];
  for (const i of items) {
    if (i.kind === (SEPARATOR as unknown)) out.push(`${i.label}:`);
    else out[out.length - 1] += ` ${i.provider?.id ?? i.label}`;
  }
  return out;
}

test('the picker groups every registered provider by its declared pickerGroup, in the same sections and order as before', async () => {
  await run();
  const picker = shown.find((s) => s.kind === 'quickPick');
  assert.ok(picker?.items, 'the provider picker was shown');
  assert.deepEqual(sections(picker.items as ReturnType<typeof addAccount.providerPickerItems>), [
    'Plans and subscriptions: copilot claude codex gemini-cli zai minimax',
    'API keys and balances: openrouter deepseek moonshot siliconflow huggingface',
    'Organization usage (admin keys): openai anthropic xai cursor-admin',
    'Gateways and endpoints: litellm custom-openai',
    'No usage API: $(circle-slash) Google AI Studio (Gemini API key) $(info) My provider is not listed…',
  ]);
  const listed = picker.items.flatMap((i) => (i.provider ? [i.provider.id] : []));
  assert.deepEqual([...listed].sort(), PROVIDERS.map((p) => p.id).sort(), 'each provider exactly once');
});

test('a new provider lands in the section it declares, with the description of its sign-in kind (no names, no ids)', () => {
  const base = PROVIDERS.find((p) => p.id === 'deepseek')!;
  const made: ProviderDefinition = { ...base, id: 'acme', displayName: 'Acme Coding Plan admin', authLabel: undefined, signIn: 'api-key', pickerGroup: 'gateway' };
  const items = addAccount.providerPickerItems([made], []);
  assert.deepEqual(sections(items), ['Gateways and endpoints: acme', 'No usage API: $(info) My provider is not listed…']);
  assert.equal(items[1]!.description, 'API key');
  const viaFile = addAccount.providerPickerItems([{ ...made, signIn: 'credential-file', pickerGroup: 'admin', credentialFile: PROVIDERS.find((p) => p.id === 'claude')!.credentialFile }], []);
  assert.deepEqual(sections(viaFile).slice(0, 1), ['Organization usage (admin keys): acme']);
  assert.equal(viaFile[1]!.description, "uses Claude Code's sign-in");
});

test('each provider declares a sign-in kind its auth kinds and credential source can serve', () => {
  for (const p of PROVIDERS) {
    if (p.signIn === 'api-key') assert.ok(p.authKinds.includes('api-key'), p.id);
    if (p.signIn === 'credential-file') assert.ok(p.authKinds.includes('credential-file') && p.credentialFile, p.id);
    if (p.signIn === 'github') assert.ok(p.authKinds.includes('github-session') && p.authKinds.includes('github-device'), p.id);
  }
});

test('an api-key provider opens the key box; a github one offers the GitHub sign-ins; nothing is saved when dismissed', async () => {
  await run('deepseek');
  assert.deepEqual(shown.map((s) => [s.kind, s.title]), [['inputBox', 'tokstat: DeepSeek API key']]);
  shown.length = 0;
  await run('copilot');
  assert.deepEqual(githubCalls, ['github'], "VS Code's GitHub accounts were listed");
  assert.deepEqual(shown.map((s) => [s.kind, s.title]), [['quickPick', 'tokstat: Add Account: GitHub Copilot']]);
  assert.deepEqual(added, []);
});

test('the unsupported Gemini API key explains itself and offers the provider it declares instead (credential-file flow)', async () => {
  const hint = UNSUPPORTED.find((u) => u.picker?.instead)!.picker!;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-addaccount-'));
  const saved = { ...process.env };
  process.env.HOME = home;
  for (const k of Object.keys(process.env)) if (/^(GEMINI|GOOGLE|CLAUDE|CODEX)/.test(k)) delete process.env[k];
  const originalQuickPick = fakeVscode.window.showQuickPick;
  fakeVscode.window.showQuickPick = async (items, opts) => {
    shown.push({ kind: 'quickPick', title: opts.title, items });
    return items?.find((i) => i.label.includes('Google AI Studio')) as never;
  };
  infoAnswer = hint.instead!.action;
  try {
    await run();
  } finally {
    fakeVscode.window.showQuickPick = originalQuickPick;
    restoreEnv(saved);
    fs.rmSync(home, { recursive: true, force: true });
  }
  assert.deepEqual(shown.map((s) => s.kind), ['quickPick', 'info', 'warning']);
  assert.equal(shown[1]!.message, hint.message);
  // No Gemini CLI sign-in in the empty home: its credential-file flow says where it looked and how to sign in.
  assert.match(shown[2]!.detail ?? '', /Sign in with Gemini CLI/);
  assert.deepEqual(added, []);
});

/**
 * Runs Add Account for `providerId` in a temporary home holding `homes` (each signed in with `credential`), with the
 * repo already holding `existing`, answering the home picker with the folder labelled `pick`.
 */
async function addFromHome(providerId: string, homes: string[], credential: string, pick: string, existing: unknown[], content = '{}'): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokstat-addaccount-'));
  for (const d of homes) {
    fs.mkdirSync(path.join(home, d));
    fs.writeFileSync(path.join(home, d, credential), content);
  }
  const saved = { ...process.env };
  process.env.HOME = home;
  for (const k of Object.keys(process.env)) if (/^(CLAUDE|CODEX|GEMINI)/.test(k)) delete process.env[k];
  const originalQuickPick = fakeVscode.window.showQuickPick;
  fakeVscode.window.showQuickPick = async (items, opts) => {
    shown.push({ kind: 'quickPick', title: opts.title, items });
    return items?.find((i) => i.label === pick) as never;
  };
  const repo = deps.repo as unknown as { list: () => unknown[] };
  const originalList = repo.list;
  repo.list = () => existing;
  try {
    await run(providerId);
  } finally {
    fakeVscode.window.showQuickPick = originalQuickPick;
    repo.list = originalList;
    restoreEnv(saved);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

test('Claude: every home is offered with the account that reads it; a folder already tracked is refused by name, before any request', async () => {
  // Added before homes were remembered: it reads ~/.claude.
  const personal = { id: 'a1', providerId: 'claude', name: 'personal', createdAt: 0, authKind: 'credential-file', settings: {} };
  await addFromHome('claude', ['.claude', '.claude-work'], '.credentials.json', '$(folder) ~/.claude', [personal]);
  const picker = shown.find((x) => x.kind === 'quickPick')!;
  assert.equal(picker.title, 'tokstat: Add Account: Claude Code folder');
  assert.deepEqual(
    picker.items!.map((i) => [i.label, i.description]),
    [
      ['$(folder) ~/.claude', 'default · already added as "personal"'],
      ['$(folder) ~/.claude-work', 'found in your home folder'],
      ['$(folder-opened) Choose folder…', 'another Claude Code folder'],
    ],
  );
  const refused = shown.find((x) => x.kind === 'warning')!;
  assert.equal(refused.message, 'tokstat: "personal" already tracks this Claude Code sign-in (~/.claude).');
  assert.deepEqual(added, []);
});

test('Gemini CLI: ~/.gemini and ~/.gemini* are offered; the folder an account remembers is refused by that account’s name', async () => {
  const work = { id: 'g1', providerId: 'gemini-cli', name: 'work@example.com', createdAt: 0, authKind: 'credential-file', settings: { home: '~/.gemini-work', geminiHome: '~/.gemini-work' } };
  await addFromHome('gemini-cli', ['.gemini', '.gemini-work'], 'oauth_creds.json', '$(folder) ~/.gemini-work', [work]);
  const picker = shown.find((x) => x.kind === 'quickPick')!;
  assert.equal(picker.title, 'tokstat: Add Account: Gemini CLI folder');
  assert.deepEqual(
    picker.items!.map((i) => [i.label, i.description]),
    [
      ['$(folder) ~/.gemini', 'default'],
      ['$(folder) ~/.gemini-work', 'found in your home folder · already added as "work@example.com"'],
      ['$(folder-opened) Choose folder…', 'another Gemini CLI folder'],
    ],
  );
  const refused = shown.find((x) => x.kind === 'warning')!;
  assert.equal(refused.message, 'tokstat: "work@example.com" already tracks this Gemini CLI sign-in (~/.gemini-work).');
  assert.match(refused.detail ?? '', /run `gemini`/);
  assert.deepEqual(added, []);
});

test('Gemini CLI: another folder signed in to the same Google account is refused after the check, naming the account that has it', async () => {
  const fake = new GeminiFake();
  gemini = fake;
  await fake.start();
  const creds = geminiOauthCreds();
  fake.addToken(String(creds.access_token), {});
  // Tracks ~/.gemini; the same sign-in (dev@example.com) was copied to ~/.gemini-copy.
  const dev = { id: 'g2', providerId: 'gemini-cli', name: 'dev', createdAt: 0, authKind: 'credential-file', settings: { home: '~/.gemini', credentialKey: 'gemini-cli:email:dev@example.com' } };
  try {
    await addFromHome('gemini-cli', ['.gemini-copy'], 'oauth_creds.json', '$(folder) ~/.gemini-copy', [dev], JSON.stringify(creds));
  } finally {
    await fake.stop();
    gemini = undefined;
  }
  // The folder's own sign-in reached Google's fake (loadCodeAssist with its token), then was recognised.
  const load = fake.requests.filter((r) => r.path === '/v1internal:loadCodeAssist');
  assert.equal(load.length, 1);
  assert.equal(load[0]!.headers.authorization, `Bearer ${String(creds.access_token)}`);
  const refused = shown.find((x) => x.kind === 'warning')!;
  assert.equal(refused?.message, 'tokstat: "dev" already tracks this Gemini CLI sign-in (~/.gemini-copy).');
  assert.deepEqual(added, []);
});

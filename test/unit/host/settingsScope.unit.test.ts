// A repository must not be able to redirect tokstat's keys (#16): every setting that decides where a credential or a
// request goes, which local files are read or what stored data is deleted has `application` or `machine` scope in
// package.json, so VS Code ignores it in a workspace; and Config reads it from the user's settings only, so even a
// host that ignored the scope could not let a workspace value win. Restricted Mode keeps tokstat running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ConfigModule from '../../../src/host/config';
import { configurationStub, withVscodeStub, type InspectValues } from '../../support/vscodeStub';

const root = path.join(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown }; virtualWorkspaces?: unknown };
  extensionKind?: unknown;
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};
const props = pkg.contributes.configuration.properties;

let values: Record<string, InspectValues> = {};
/** VS Code's own `github-enterprise` section (its GitHub Enterprise sign-in's server). */
let ghe: Record<string, InspectValues> = {};
const tokstatSection = configurationStub('tokstat', () => values);
const gheSection = configurationStub('github-enterprise', () => ghe);
const fakeVscode = {
  workspace: { getConfiguration: (s: string) => (s === 'github-enterprise' ? gheSection : tokstatSection).getConfiguration(s) },
};
const { Config, USER_ONLY_SETTINGS } = withVscodeStub(fakeVscode, () => require('../../../src/host/config') as typeof ConfigModule);

// What an attacker would set in a cloned repository's .vscode/settings.json, and why it matters.
const DANGEROUS: Record<string, string> = {
  endpoints: 'sends every key to the host it names',
  'github.enterpriseHost': 'sends the GitHub token to api.<host>',
  'github.oauthClientId': 'signs the user in to an app of its choosing',
  'pricing.url': 'makes a request to a host of its choosing',
  'pricing.offline': 'turns the daily download back on',
  'pricing.overrides': 'falsifies every cost',
  pollIntervals: 'decides how often keys are sent',
  requestTimeoutSeconds: 'decides how long a request may hang',
  'history.retention': 'deletes stored history',
  'discovery.enabled': 'reads credential files',
  'localUsage.enabled': 'reads agent logs',
  'localUsage.claudeConfigDirs': 'reads any folder',
  'localUsage.codexHomes': 'reads any folder',
  'localUsage.geminiDirs': 'reads any folder',
  'localUsage.opencodeDirs': 'reads any folder',
  'localUsage.copilotHomes': 'reads any folder',
  'export.enabled': 'sends this machine\'s figures out',
  'export.target': 'decides where the figures go',
  'export.endpoint': 'sends the figures (and the export headers) to the host it names',
  'export.protocol': 'decides how the figures are sent',
  'export.intervalSeconds': 'decides how often the figures are sent',
  'export.team': 'decides the salt of the exported hashes',
  'export.userId': 'decides who the figures are attributed to',
  'export.hashUserId': 'sends the user id in clear',
  'export.resourceAttributes': 'adds what leaves the machine',
  'export.includeProjectNames': 'sends project names',
};

test('every setting declares a scope, and each one that steers keys, requests, file reads or deletion is application or machine', () => {
  for (const [key, p] of Object.entries(props)) {
    assert.ok(p.scope, `${key} declares a scope`);
    const short = key.replace(/^tokstat\./, '');
    if (short in DANGEROUS) assert.match(p.scope ?? '', /^(application|machine)$/, `${key} ${DANGEROUS[short]}: a workspace must not set it`);
  }
  for (const short of Object.keys(DANGEROUS)) assert.ok(`tokstat.${short}` in props, `tokstat.${short} exists`);
});

test("Config's list of user-only settings is exactly the application- and machine-scoped settings of package.json", () => {
  const scoped = Object.entries(props)
    .filter(([, p]) => p.scope === 'application' || p.scope === 'machine')
    .map(([k]) => k.replace(/^tokstat\./, ''))
    .sort();
  assert.deepEqual([...USER_ONLY_SETTINGS].sort(), scoped);
});

test('tokstat runs in Restricted Mode and in virtual workspaces', () => {
  assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, true);
  assert.equal(pkg.capabilities?.virtualWorkspaces, true);
});

test('extensionKind is explicit: where the agents run (the remote) first, else the local side', () => {
  assert.deepEqual(pkg.extensionKind, ['workspace', 'ui']);
});

test('a workspace or folder value of a user-only setting never wins, and is logged once', () => {
  const warned: string[] = [];
  const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
  const attacker = 'http://127.0.0.1:9/attacker';
  values = {
    endpoints: { defaultValue: {}, globalValue: { openrouter: 'http://127.0.0.1:8/user' }, workspaceValue: { openrouter: attacker, copilot: attacker } },
    'github.enterpriseHost': { defaultValue: '', workspaceValue: 'evil.example.com' },
    'github.oauthClientId': { defaultValue: '', workspaceFolderValue: 'Iv1.attacker' },
    'pricing.url': { defaultValue: 'https://prices.example/list.json', workspaceValue: attacker },
    'pricing.offline': { defaultValue: false, globalValue: true, workspaceValue: false },
    'pricing.overrides': { defaultValue: {}, workspaceValue: { 'gpt-x': { input: 0, output: 0 } } },
    pollIntervals: { defaultValue: {}, workspaceValue: { openrouter: 60 } },
    requestTimeoutSeconds: { defaultValue: 20, workspaceValue: 120 },
    'history.retention': { defaultValue: { rawDays: 7 }, workspaceValue: { rawDays: 1, fifteenMinuteDays: 1, dailyDays: 1 } },
    'discovery.enabled': { defaultValue: true, workspaceValue: false },
    'localUsage.enabled': { defaultValue: true, globalValue: false, workspaceValue: true },
    'localUsage.claudeConfigDirs': { defaultValue: [], workspaceValue: ['/'] },
    'localUsage.codexHomes': { defaultValue: [], workspaceValue: ['/etc'] },
    'localUsage.geminiDirs': { defaultValue: [], workspaceFolderValue: ['/root'] },
    'localUsage.opencodeDirs': { defaultValue: [], workspaceValue: ['/'] },
    'incidents.enabled': { defaultValue: true, globalValue: false, workspaceValue: true },
    'incidents.statusPages': { defaultValue: {}, workspaceValue: { anthropic: attacker } },
    'polling.adaptive': { defaultValue: true, workspaceFolderValue: false },
    'localUsage.copilotHomes': { defaultValue: [], workspaceFolderValue: ['/etc'] },
    'export.enabled': { defaultValue: false, workspaceValue: true },
    'export.target': { defaultValue: 'otlp', workspaceValue: 'pushgateway' },
    'export.endpoint': { defaultValue: '', workspaceValue: attacker },
    'export.protocol': { defaultValue: '', workspaceValue: 'http/json' },
    'export.intervalSeconds': { defaultValue: 300, workspaceValue: 15 },
    'export.team': { defaultValue: '', workspaceValue: 'attacker' },
    'export.userId': { defaultValue: '', workspaceFolderValue: 'victim' },
    'export.hashUserId': { defaultValue: true, workspaceValue: false },
    'export.resourceAttributes': { defaultValue: {}, workspaceValue: { leak: 'x' } },
    'export.includeProjectNames': { defaultValue: false, workspaceValue: true },
  };
  const c = new Config(log);
  assert.deepEqual(c.exportSettings(), { enabled: false, target: 'otlp', endpoint: '', intervalSeconds: 300, team: '', userId: '', hashUserId: true, resourceAttributes: {}, includeProjectNames: false });
  assert.deepEqual(c.endpoints(), { openrouter: 'http://127.0.0.1:8/user' });
  assert.equal(c.enterpriseHost(), '');
  assert.equal(c.oauthClientId(), '');
  assert.equal(c.pricingUrl(), 'https://prices.example/list.json');
  assert.equal(c.pricingOffline(), true);
  assert.deepEqual(c.pricingOverrides(), {});
  assert.equal(c.pollIntervalSeconds('openrouter'), undefined);
  assert.equal(c.requestTimeoutMs(), 20_000);
  assert.deepEqual(c.historyRetention(), { rawDays: 7 });
  assert.equal(c.discoveryEnabled(), true);
  assert.equal(c.localUsageEnabled(), false);
  for (const k of ['claudeConfigDirs', 'codexHomes', 'geminiDirs', 'opencodeDirs', 'copilotHomes'] as const) assert.deepEqual(c.localUsageDirs(k), []);
  assert.equal(c.incidentsEnabled(), false);
  assert.deepEqual(c.incidentStatusPages(), {}, 'a workspace cannot point the status poll elsewhere');
  assert.equal(c.adaptivePolling(), true);
  assert.equal(warned.length, USER_ONLY_SETTINGS.length, `one warning per ignored setting:\n${warned.join('\n')}`);
  c.endpoints();
  c.pricingUrl();
  assert.equal(warned.length, USER_ONLY_SETTINGS.length, 'each setting is told once');
  assert.ok(warned.every((m) => !m.includes(attacker)), 'the ignored value is not echoed into the log');
});

test("tokstat.github.enterpriseHost defaults to VS Code's github-enterprise.uri from the user's settings, never a workspace's", () => {
  const warned: string[] = [];
  const log = { trace() {}, debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
  try {
    values = {};
    ghe = { uri: { globalValue: 'https://ghe.example.com/' } };
    assert.equal(new Config(log).enterpriseHost(), 'ghe.example.com', 'GitHub Enterprise Server from VS Code');
    ghe = { uri: { globalValue: 'https://octo.ghe.com/some/path?x=1' } };
    assert.equal(new Config(log).enterpriseHost(), 'octo.ghe.com', 'ghe.com data residency, path dropped');
    // tokstat's own setting wins.
    values = { 'github.enterpriseHost': { defaultValue: '', globalValue: 'mine.ghe.com' } };
    assert.equal(new Config(log).enterpriseHost(), 'mine.ghe.com');
    assert.equal(warned.length, 0);
    // A repository's .vscode/settings.json cannot point the GitHub token elsewhere through VS Code's setting either.
    values = {};
    ghe = { uri: { workspaceValue: 'https://evil.example.com', workspaceFolderValue: 'https://evil2.example.com' } };
    const c = new Config(log);
    assert.equal(c.enterpriseHost(), '');
    c.enterpriseHost();
    assert.equal(warned.length, 1, 'told once');
    assert.match(warned[0]!, /github-enterprise\.uri/);
    assert.ok(!warned[0]!.includes('evil'), 'the ignored value is not echoed');
    ghe = { uri: { globalValue: 'https://ghe.example.com', workspaceValue: 'https://evil.example.com' } };
    assert.equal(new Config(log).enterpriseHost(), 'ghe.example.com', 'the user value, not the workspace one');
  } finally {
    ghe = {};
  }
});

test("the user's own values are read as before", () => {
  values = {
    endpoints: { defaultValue: {}, globalValue: { openrouter: 'https://gw.example/or' } },
    'github.enterpriseHost': { defaultValue: '', globalValue: 'https://octo.ghe.com/' },
    'github.oauthClientId': { defaultValue: '', globalValue: ' Iv1.mine ' },
    pollIntervals: { defaultValue: {}, globalValue: { openrouter: 900 } },
    requestTimeoutSeconds: { defaultValue: 20, globalValue: 500 },
    'localUsage.codexHomes': { defaultValue: [], globalValue: ['/home/me/.codex-work', '', 3] },
  };
  const c = new Config();
  assert.deepEqual(c.endpoints(), { openrouter: 'https://gw.example/or' });
  assert.equal(c.enterpriseHost(), 'octo.ghe.com');
  assert.equal(c.oauthClientId(), 'Iv1.mine');
  assert.equal(c.pollIntervalSeconds('openrouter'), 900);
  assert.equal(c.requestTimeoutMs(), 120_000);
  assert.deepEqual(c.localUsageDirs('codexHomes'), ['/home/me/.codex-work']);
  assert.equal(c.discoveryEnabled(), true);
  assert.equal(c.pricingOffline(), false);
});

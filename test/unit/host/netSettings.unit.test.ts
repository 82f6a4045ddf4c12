// VS Code's http.* settings as tokstat reads them: the user's value or the default, never a workspace's (a cloned
// repository must not route keys through its own proxy nor turn certificate checks off), with VS Code's defaults.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as NetSettingsModule from '../../../src/host/netSettings';
import { configurationStub, withVscodeStub, type InspectValues } from '../../support/vscodeStub';

let values: Record<string, InspectValues> = {};
const fakeVscode = { workspace: configurationStub('http', () => values) };
const { readNetSettings, affectsNetSettings } = withVscodeStub(fakeVscode, () => require('../../../src/host/netSettings') as typeof NetSettingsModule);

const DEFAULTS: Record<string, InspectValues> = {
  proxy: { defaultValue: '' },
  noProxy: { defaultValue: [] },
  proxyStrictSSL: { defaultValue: true },
  proxySupport: { defaultValue: 'override' },
  systemCertificates: { defaultValue: true },
};

test("VS Code's defaults: no proxy, strict SSL, proxySupport override, system certificates on", () => {
  values = DEFAULTS;
  assert.deepEqual(readNetSettings(), { noProxy: [], strictSSL: true, support: 'override', systemCertificates: true });
});

test("the user's values are used", () => {
  values = {
    ...DEFAULTS,
    proxy: { defaultValue: '', globalValue: ' http://u:p@corp:3128 ' },
    noProxy: { defaultValue: [], globalValue: ['internal.example', 3] },
    proxyStrictSSL: { defaultValue: true, globalValue: false },
    proxySupport: { defaultValue: 'override', globalValue: 'off' },
    systemCertificates: { defaultValue: true, globalValue: false },
  };
  assert.deepEqual(readNetSettings(), { proxy: 'http://u:p@corp:3128', noProxy: ['internal.example'], strictSSL: false, support: 'off', systemCertificates: false });
});

test("a workspace's values are ignored (proxy, no-proxy list, strict SSL, support, system certificates)", () => {
  values = {
    proxy: { defaultValue: '', workspaceValue: 'http://attacker:8080' },
    noProxy: { defaultValue: [], workspaceFolderValue: ['*'] },
    proxyStrictSSL: { defaultValue: true, workspaceValue: false },
    proxySupport: { defaultValue: 'override', workspaceValue: 'off' },
    systemCertificates: { defaultValue: true, workspaceValue: false },
  };
  assert.deepEqual(readNetSettings(), { noProxy: [], strictSSL: true, support: 'override', systemCertificates: true });
});

test('affectsNetSettings: the five settings, nothing else', () => {
  const ev = (changed: string) => ({ affectsConfiguration: (s: string) => s === changed });
  for (const k of ['http.proxy', 'http.noProxy', 'http.proxyStrictSSL', 'http.proxySupport', 'http.systemCertificates']) {
    assert.equal(affectsNetSettings(ev(k) as never), true, k);
  }
  assert.equal(affectsNetSettings(ev('http.electronFetch') as never), false);
  assert.equal(affectsNetSettings(ev('tokstat.endpoints') as never), false);
});

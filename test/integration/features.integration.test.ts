// The API other extensions call, and the language-model tool, as VS Code sees them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './hooks';

interface PublicApi {
  version: number;
  apiVersion: number;
  recordOperation(op: unknown): { ok: boolean; error?: string };
}

describe('API for other extensions and the language-model tool', () => {
  let api: PublicApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<PublicApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
  });

  it('records a valid operation and answers synchronously', () => {
    const started = Date.now();
    const r = api.recordOperation({ operation: 'chat', provider: 'openai', model: 'gpt-5', inputTokens: 120, outputTokens: 40, costUSD: 0.001, durationMs: 850, toolCalls: [{ name: 'search', durationMs: 120 }] });
    assert.deepEqual(r, { ok: true });
    assert.ok(Date.now() - started < 50, 'recording returns at once');
    assert.equal(api.apiVersion, 2);
  });

  it('rejects bad input with a clear error instead of throwing', () => {
    const negative = api.recordOperation({ operation: 'chat', provider: 'openai', model: 'gpt-5', inputTokens: -1, outputTokens: 0 });
    assert.equal(negative.ok, false);
    assert.match(negative.error ?? '', /inputTokens/);
    const missing = api.recordOperation({ provider: 'openai' });
    assert.equal(missing.ok, false);
    assert.doesNotThrow(() => api.recordOperation(undefined));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(api.recordOperation(cyclic).ok, false);
  });

  it('registers the tokstat_usage language-model tool', function () {
    const lm = (vscode as unknown as { lm?: { tools?: ReadonlyArray<{ name: string }> } }).lm;
    if (!lm?.tools) this.skip();
    assert.ok(lm!.tools!.some((t) => t.name === 'tokstat_usage'), `tools: ${lm!.tools!.map((t) => t.name).join(', ')}`);
  });
});

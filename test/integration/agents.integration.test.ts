// Agents and other extensions, inside the real extension host (code-server): the read API as a SECOND extension
// (test/fixtures/apiConsumer, loaded by scripts/run-exthost.js) sees it, the `@tokstat` chat participant as the host's
// chat API registered it, and what became of the MCP server definition provider in this VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY } from '../fakes/secrets';
import { requireHooks, skipBecause, waitFor, type TokstatTestingHooks } from './hooks';

type Hooks = Pick<TokstatTestingHooks, 'ready' | 'addAccount' | 'removeAccount' | 'accounts' | 'refresh' | 'whenIdle' | 'chatParticipant' | 'mcpRegistration'>;

interface Consumer {
  apiVersion: number;
  methods: string[];
  snapshots(): Array<{ name: string; providerId: string; status: string; stale: boolean; meters: Array<{ id: string; source: string; remaining: number | null }> }>;
  usage(range?: unknown, groupBy?: string): Promise<{ schemaVersion: number; groupBy: string; available: boolean; range: { from: string | null } }>;
  record(op: unknown): { ok: boolean };
  seen(): { changes: number; lastNames: string[] };
  subscriptions(): number;
}

const CONSUMER_ID = 'tokstat-test.api-consumer';
const NAME = 'it-agents-router';

describe('agents: the read API from a second extension, @tokstat, the MCP provider', function () {
  let t: Hooks;
  let or: OpenRouterFake;
  let previousEndpoints: unknown;
  let accountId: string;

  before(async function () {
    t = await requireHooks(this, 'ready', 'addAccount', 'removeAccount', 'accounts', 'refresh', 'whenIdle', 'chatParticipant', 'mcpRegistration');
    await t.ready;
    or = new OpenRouterFake();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: NAME }));
    const cfg = vscode.workspace.getConfiguration('tokstat');
    previousEndpoints = cfg.inspect('endpoints')?.globalValue;
    await cfg.update('endpoints', { openrouter: or.baseUrl }, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    if (!t) return;
    for (const a of t.accounts().filter((x) => x.name.startsWith('it-agents'))) await t.removeAccount(a.id);
    await vscode.workspace.getConfiguration('tokstat').update('endpoints', previousEndpoints, vscode.ConfigurationTarget.Global);
    await or?.stop();
  });

  it('a second extension gets apiVersion 2 and sees a new account through onDidChange and getSnapshots, without its key', async () => {
    const ext = vscode.extensions.getExtension<Consumer>(CONSUMER_ID);
    assert.ok(ext, `${CONSUMER_ID} is loaded next to tokstat (scripts/run-exthost.js)`);
    const c = await ext.activate();
    assert.equal(c.apiVersion, 2);
    assert.deepEqual(c.methods, ['getSnapshots', 'getUsage', 'onDidChange', 'recordOperation']);
    assert.ok(c.subscriptions() >= 1, 'the consumer\'s subscription went into its own context.subscriptions');
    const changesBefore = c.seen().changes;
    accountId = await t.addAccount({ providerId: 'openrouter', name: NAME, authKind: 'api-key', secret: OPENROUTER_KEY });
    await t.refresh(accountId);
    await t.whenIdle();
    assert.ok(or.requests.length > 0, 'the account was polled against the fake');
    const seen = await waitFor('the consumer saw the account through onDidChange', () => {
      const s = c.seen();
      return s.changes > changesBefore && s.lastNames.includes(NAME) ? s : undefined;
    });
    assert.ok(seen.changes > changesBefore);
    const snap = c.snapshots().find((s) => s.name === NAME);
    assert.ok(snap);
    assert.equal(snap.providerId, 'openrouter');
    assert.equal(snap.status, 'ok');
    assert.equal(snap.stale, false);
    assert.ok(snap.meters.length > 0 && snap.meters.every((m) => m.source === 'official'), JSON.stringify(snap.meters));
    const everything = JSON.stringify(c.snapshots());
    assert.ok(!everything.includes(OPENROUTER_KEY), 'the key never reaches another extension');
    assert.doesNotMatch(everything, /"(identity|secret|apiKey|token|settings)"/);
    const usage = await c.usage('today');
    assert.equal(usage.schemaVersion, 1);
    assert.equal(usage.groupBy, 'agent');
    assert.equal(typeof usage.available, 'boolean');
    assert.equal((await c.usage({ since: '2026-01-01', until: '2026-01-31' }, 'model')).range.from, '2026-01-01');
    await assert.rejects(c.usage('fortnight'));
    // recordOperation is still there for the same caller.
    assert.equal(c.record({ operation: 'chat', provider: 'openai', model: 'gpt-5', inputTokens: 1, outputTokens: 1, source: CONSUMER_ID }).ok, true);
  });

  it('@tokstat: the participant the host registered answers "how much is left" and "which account" into a response stream', async function () {
    if (typeof vscode.chat?.createChatParticipant !== 'function') skipBecause(this, 'this host has no chat participant API');
    const participant = t.chatParticipant();
    assert.ok(participant, 'registered through vscode.chat.createChatParticipant');
    assert.equal(participant.id, 'tokstat.chat');
    // code-server 4.100 has no chat provider to route a typed "@tokstat …" request, so the request reaches the handler
    // the host holds (participant.requestHandler) directly, with a stream built from the host's own response parts.
    const run = async (prompt: string, command?: string) => {
      const parts: Array<vscode.ChatResponseMarkdownPart | vscode.ChatResponseCommandButtonPart> = [];
      const stream = {
        markdown: (v: string | vscode.MarkdownString) => parts.push(new vscode.ChatResponseMarkdownPart(v)),
        button: (c: vscode.Command) => parts.push(new vscode.ChatResponseCommandButtonPart(c)),
        push: (p: vscode.ChatResponseMarkdownPart) => parts.push(p),
        anchor: () => undefined,
        progress: () => undefined,
        reference: () => undefined,
        filetree: () => undefined,
      } as unknown as vscode.ChatResponseStream;
      const request = { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined } as unknown as vscode.ChatRequest;
      const cts = new vscode.CancellationTokenSource();
      const result = await participant.requestHandler(request, { history: [] } as unknown as vscode.ChatContext, stream, cts.token);
      cts.dispose();
      const text = parts.filter((p): p is vscode.ChatResponseMarkdownPart => p instanceof vscode.ChatResponseMarkdownPart).map((p) => p.value.value).join('');
      const buttons = parts.filter((p): p is vscode.ChatResponseCommandButtonPart => p instanceof vscode.ChatResponseCommandButtonPart).map((p) => p.value.command);
      return { result, text, buttons };
    };
    const left = await run('how much is left?');
    assert.equal((left.result as { metadata?: { question?: string } })?.metadata?.question, 'left');
    assert.match(left.text, /AI accounts \(tokstat\):/);
    assert.match(left.text, new RegExp(NAME.replace(/-/g, '\\\\?-')));
    assert.deepEqual(left.buttons, ['tokstat.openDashboard']);
    assert.ok(!left.text.includes(OPENROUTER_KEY));
    const which = await run('', 'which');
    assert.equal((which.result as { metadata?: { question?: string } })?.metadata?.question, 'which');
    assert.match(which.text, /has the most room|Cannot tell|No account/);
    assert.match(which.text, /never switches accounts/);
    const cost = await run('what did today cost?');
    assert.equal((cost.result as { metadata?: { question?: string } })?.metadata?.question, 'cost');
  });

  it('the MCP server definition provider: registered where VS Code has the API, a logged no-op where it does not', function () {
    const state = t.mcpRegistration();
    const [major, minor] = vscode.version.split('.').map(Number) as [number, number];
    const finalized = major > 1 || minor >= 101;
    // 1.100 (code-server 4.100) ships the API as a proposal that refuses extensions; 1.101 finalized it.
    assert.equal(state, finalized ? 'registered' : state === 'unavailable' ? 'unavailable' : 'refused', `VS Code ${vscode.version}: ${state}`);
    if (!finalized) assert.notEqual(state, 'registered');
    // Activation went on regardless: the API and the participant exist.
    assert.ok(vscode.extensions.getExtension('tokstat.tokstat')?.isActive);
  });
});

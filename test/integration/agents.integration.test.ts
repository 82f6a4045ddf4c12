// Agents and other extensions, inside the real extension host (code-server): the read API as a SECOND extension
// (test/fixtures/apiConsumer, loaded by scripts/run-exthost.js) sees it, the `@tokstat` chat participant as the host's
// chat API registered it, and what became of the MCP server definition provider in this VS Code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { OPENROUTER_KEY } from '../fakes/secrets';
import { requireHooks, skipBecause, waitFor, type TokstatTestingHooks } from './hooks';

type Hooks = Pick<TokstatTestingHooks, 'ready' | 'addAccount' | 'removeAccount' | 'accounts' | 'refresh' | 'whenIdle' | 'chatParticipant' | 'mcpRegistration' | 'mcpProvided'>;

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
    t = await requireHooks(this, 'ready', 'addAccount', 'removeAccount', 'accounts', 'refresh', 'whenIdle', 'chatParticipant', 'mcpRegistration', 'mcpProvided');
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
    const usage = await c.usage('today');
    // Nothing another extension gets carries a credential, an e-mail or a file path.
    const everything = JSON.stringify([c.snapshots(), usage, await c.usage('month', 'project')]);
    assert.ok(!everything.includes(OPENROUTER_KEY), 'the key never reaches another extension');
    assert.doesNotMatch(everything, /"(identity|secret|apiKey|token|settings|authKind)"/);
    assert.doesNotMatch(everything, /[\w.+-]+@[\w-]+\.[\w.]+/, 'no e-mail');
    assert.doesNotMatch(everything, /(^|[\s"'(=])(\/[\w.-]+){2,}|[A-Za-z]:\\\\/, 'no file path');
    for (const p of [process.env.HOME, ext.extensionPath, vscode.extensions.getExtension('tokstat.tokstat')?.extensionPath]) {
      if (p) assert.ok(!everything.includes(p), `no ${p}`);
    }
    assert.equal(usage.schemaVersion, 1);
    assert.equal(usage.groupBy, 'agent');
    assert.equal(typeof usage.available, 'boolean');
    assert.equal((await c.usage({ since: '2026-01-01', until: '2026-01-31' }, 'model')).range.from, '2026-01-01');
    await assert.rejects(c.usage('fortnight'));
    // recordOperation is still there for the same caller.
    assert.equal(c.record({ operation: 'chat', provider: 'openai', model: 'gpt-5', inputTokens: 1, outputTokens: 1, source: CONSUMER_ID }).ok, true);
  });

  it('@tokstat: the participant the host registered answers "how much is left", "which account" and "what did today cost"', async function () {
    if (typeof vscode.chat?.createChatParticipant !== 'function') skipBecause(this, 'this host has no chat participant API');
    const participant = t.chatParticipant();
    assert.ok(participant, 'registered through vscode.chat.createChatParticipant');
    assert.equal(participant.id, 'tokstat.chat');
    // Measured in code-server 4.100.3 (VS Code 1.100.3): its product.json has no `defaultChatAgent`, so chat is not
    // enabled: workbench.action.chat.open with `{ query: '@tokstat …' }`, and Quick Chat followed by
    // workbench.action.chat.submit, resolve without opening a chat widget and never reach a participant's handler;
    // vscode.lm.selectChatModels() finds no model. The host creates a ChatResponseStream only for a request it routes,
    // so the request goes to the handler the host holds (participant.requestHandler) with the host's own cancellation
    // token, MarkdownString and response part classes.
    const run = async (prompt: string, command?: string, cancelled = false) => {
      const parts: Array<vscode.ChatResponseMarkdownPart | vscode.ChatResponseCommandButtonPart> = [];
      const stream = {
        markdown: (v: string | vscode.MarkdownString) => parts.push(new vscode.ChatResponseMarkdownPart(v)),
        button: (c: vscode.Command) => parts.push(new vscode.ChatResponseCommandButtonPart(c)),
        push: (p: vscode.ChatResponseMarkdownPart) => parts.push(p),
        anchor: () => assert.fail('no anchors'),
        progress: () => undefined,
        reference: () => assert.fail('no references'),
        filetree: () => assert.fail('no file trees'),
      } as unknown as vscode.ChatResponseStream;
      const request = { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined } as unknown as vscode.ChatRequest;
      const cts = new vscode.CancellationTokenSource();
      if (cancelled) cts.cancel();
      const result = await participant.requestHandler(request, { history: [] } as unknown as vscode.ChatContext, stream, cts.token);
      cts.dispose();
      const md = parts.filter((p): p is vscode.ChatResponseMarkdownPart => p instanceof vscode.ChatResponseMarkdownPart).map((p) => p.value);
      // What the chat view shows: MarkdownString.appendText escaped each line (markdown characters, spaces as
      // &nbsp;), joined by hard line breaks; undone here to read it as a person would. Nothing may be a link or HTML.
      for (const m of md) assert.doesNotMatch(m.value, /\n\n/, 'one paragraph, lines joined by hard breaks');
      for (const m of md) {
        assert.equal(m.isTrusted ?? false, false);
        assert.equal(m.supportHtml ?? false, false);
        assert.doesNotMatch(m.value, /\]\(|<[a-z]/i, 'no link, image or HTML in the answer');
      }
      const shown = md.map((m) => m.value.replace(/ {2}\n/g, '\n').replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1')).join('');
      const buttons = parts.filter((p): p is vscode.ChatResponseCommandButtonPart => p instanceof vscode.ChatResponseCommandButtonPart).map((p) => p.value.command);
      return { result: result as { metadata?: { question?: string } } | undefined, shown, buttons, parts: parts.length };
    };
    const left = await run('how much is left?');
    assert.equal(left.result?.metadata?.question, 'left');
    assert.match(left.shown, /^AI accounts \(tokstat\):\n/);
    assert.match(left.shown, new RegExp(`- "${NAME}" \\(OpenRouter\\): up to date`));
    assert.match(left.shown, /"Key limit \(monthly\)": 26% used \(\$25\.50 \/ \$100\.00\); resets in /);
    assert.deepEqual(left.buttons, ['tokstat.openDashboard']);
    assert.ok(!left.shown.includes(OPENROUTER_KEY));
    const which = await run('', 'which');
    assert.equal(which.result?.metadata?.question, 'which');
    assert.match(which.shown, /has the most room|Cannot tell|No account/);
    assert.match(which.shown, /never switches accounts/);
    const cost = await run('what did today cost?');
    assert.equal(cost.result?.metadata?.question, 'cost');
    assert.deepEqual(cost.buttons, []);
    assert.ok(cost.shown.length > 0);
    const none = await run('how much is left?', undefined, true);
    assert.equal(none.parts, 0, 'a cancelled request writes nothing');
  });

  it('the MCP server definition: VS Code asks for it where it has the API, and what it gets starts a working server', async function () {
    this.timeout(60_000);
    const state = t.mcpRegistration();
    const [major, minor] = vscode.version.split('.').map(Number) as [number, number];
    // 1.101 finalized the API (contributes.mcpServerDefinitionProviders). 1.100 has it as the proposal
    // `mcpConfigurationProvider` (contributes.modelContextServerCollections), which a development host such as this one
    // lets through and an installed extension may be refused; before 1.100 there is none. Activation goes on regardless.
    if (major === 1 && minor < 100) assert.equal(state, 'unavailable');
    else if (major > 1 || minor >= 101) assert.equal(state, 'registered');
    else assert.notEqual(state, 'unavailable', `VS Code ${vscode.version} has the API`);
    assert.ok(vscode.extensions.getExtension('tokstat.tokstat')?.isActive);
    if (state !== 'registered') skipBecause(this, `VS Code ${vscode.version} ${state} the MCP server definition`);
    const def = await waitFor('VS Code asked tokstat for its MCP server definition', () => t.mcpProvided().at(-1));
    assert.equal(def.label, 'tokstat');
    assert.equal(def.command, process.execPath);
    assert.match(def.args[0] ?? '', /dist[\\/]cli\.js$/);
    assert.deepEqual(def.args.slice(1, 3), ['mcp', '--storage']);
    assert.equal(def.env.ELECTRON_RUN_AS_NODE, '1');
    // Start it as VS Code would and ask it through the MCP SDK's own client.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const transport = new StdioClientTransport({ command: def.command, args: def.args, env: { ...def.env, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stderr: 'pipe' });
    const client = new Client({ name: 'tokstat-exthost-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = (await client.listTools()).tools.map((x) => x.name).sort();
      assert.deepEqual(tools, ['headroom', 'quota_status', 'usage_summary']);
      // The extension writes its snapshot and the account names' mirror after the poll, on its own schedule.
      const quota = async () => {
        const r = await client.callTool({ name: 'quota_status', arguments: {} });
        return { r, text: (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n') };
      };
      let last = '';
      const { r, text } = await waitFor('the account the extension polled, in what tokstat mcp reads from its storage', async () => {
        const q = await quota();
        last = q.text;
        return q.text.includes(`"${NAME}" (OpenRouter)`) ? q : undefined;
      }).catch((e: Error) => assert.fail(`${e.message}; last answer: ${last}`));
      assert.match(text, /"Key limit \(monthly\)": 26% used/);
      const all = JSON.stringify(r);
      assert.ok(!all.includes(OPENROUTER_KEY), 'no key in what an agent gets');
      assert.doesNotMatch(all, /"(identity|secret|apiKey|token|settings)"/);
    } finally {
      await client.close();
    }
  });
});

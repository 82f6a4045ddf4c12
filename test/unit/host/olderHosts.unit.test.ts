// Forks and older hosts (issue #19 §3): the newer APIs tokstat uses are optional. Loaded against a `vscode` shim
// that lacks them, the modules that use them still load and answer, instead of throwing at activation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as ToolModule from '../../../src/features/lmTool/tool';
import type * as GitHubAuthModule from '../../../src/host/githubAuth';
import { withVscodeStub } from '../../support/vscodeStub';

class EventEmitter<T> {
  private readonly listeners: Array<(e: T) => void> = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose() {} };
  };
  fire(e: T) {
    for (const l of this.listeners) l(e);
  }
  dispose() {}
}

/** A VS Code of before 1.95 (or a fork): no `lm`, no `chat`, no MCP, no multi-account `authentication.getAccounts`. */
function olderVscode(calls: string[]) {
  return {
    EventEmitter,
    authentication: {
      onDidChangeSessions: () => ({ dispose() {} }),
      getSession: async (providerId: string) => {
        calls.push(`getSession:${providerId}`);
        return undefined;
      },
    },
  };
}

function loadFresh<T>(stub: unknown, modulePath: string): T {
  const resolved = require.resolve(modulePath);
  delete require.cache[resolved];
  return withVscodeStub(stub, () => require(resolved) as T);
}

test('without vscode.lm the chat tool is not registered, a line is logged and nothing throws', () => {
  const calls: string[] = [];
  const logged: string[] = [];
  const { registerUsageTool } = loadFresh<typeof ToolModule>(olderVscode(calls), '../../../src/features/lmTool/tool');
  const log = { info: (m: string) => logged.push(m), warn() {}, error() {}, debug() {}, trace() {} };
  const d = registerUsageTool({ accounts: () => [], localUsage: async () => undefined, now: () => 0, log } as unknown as Parameters<typeof registerUsageTool>[0]);
  assert.equal(typeof d.dispose, 'function');
  d.dispose();
  assert.ok(logged.some((m) => m.includes('not available')), logged.join('\n'));
});

test('with vscode.lm present the tool is registered (the guard is not always-off)', () => {
  const registered: string[] = [];
  const stub = { ...olderVscode([]), lm: { registerTool: (name: string) => (registered.push(name), { dispose() {} }) } };
  const { registerUsageTool, USAGE_TOOL_NAME } = loadFresh<typeof ToolModule>(stub, '../../../src/features/lmTool/tool');
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
  registerUsageTool({ accounts: () => [], localUsage: async () => undefined, now: () => 0, log } as unknown as Parameters<typeof registerUsageTool>[0]);
  assert.deepEqual(registered, [USAGE_TOOL_NAME]);
});

test('without authentication.getAccounts the GitHub sign-in lists no accounts instead of throwing', async () => {
  const calls: string[] = [];
  const { vscodeGitHubAuth } = loadFresh<typeof GitHubAuthModule>(olderVscode(calls), '../../../src/host/githubAuth');
  const auth = vscodeGitHubAuth();
  assert.deepEqual(await auth.getAccounts('github'), []);
  assert.equal(await auth.getToken('github', 'id', 'label'), undefined);
  assert.deepEqual(calls, ['getSession:github'], 'the silent token lookup still asks VS Code');
  auth.dispose();
});

test('without vscode.chat there is no @tokstat participant, and without the MCP API no MCP provider: logged, no throw', async () => {
  const logged: string[] = [];
  const log = { info: (m: string) => logged.push(m), warn() {}, error() {}, debug() {}, trace() {} };
  const chat = loadFresh<typeof import('../../../src/features/chat/participant')>(olderVscode([]), '../../../src/features/chat/participant');
  assert.equal(chat.registerChatParticipant({ data: () => ({}) as never, log } as never, {} as never), undefined);
  const mcp = loadFresh<typeof import('../../../src/features/mcp/provider')>(olderVscode([]), '../../../src/features/mcp/provider');
  const reg = mcp.registerMcpServer({ target: { execPath: process.execPath, cliPath: '/x/cli.js' }, storage: '/tmp/none', version: '0', log });
  assert.equal(reg.state, 'unavailable');
  reg.disposable.dispose();
  assert.ok(logged.some((m) => m.includes('no chat participant API')), logged.join('\n'));
  assert.ok(logged.some((m) => m.includes('no MCP server definition API')), logged.join('\n'));
});

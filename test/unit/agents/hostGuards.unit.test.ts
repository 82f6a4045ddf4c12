// tokstat in an editor without VS Code's chat or MCP APIs (older VS Code, forks): @tokstat and the MCP server
// definition are skipped with one log line, never a failed activation; where the MCP API refuses the call (the 1.100
// proposal), the same. Against an in-memory `vscode` whose APIs the tests remove and restore.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as ParticipantModule from '../../../src/features/chat/participant';
import type * as McpModule from '../../../src/features/mcp/provider';
import type { Logger } from '../../../src/core/log';
import { withVscodeStub } from '../../support/vscodeStub';

// `__esModule`: the compiled imports use this object itself, so a test can take an API away and give it back.
const fakeVscode: Record<string, unknown> = { __esModule: true, chat: undefined, lm: undefined, McpStdioServerDefinition: undefined };
const { registerChatParticipant } = withVscodeStub(fakeVscode, () => require('../../../src/features/chat/participant') as typeof ParticipantModule);
const { registerMcpServer } = withVscodeStub(fakeVscode, () => require('../../../src/features/mcp/provider') as typeof McpModule);

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (m: string) => void lines.push(m);
  return { lines, info: add, warn: add, error: add, debug: add, trace: add } as unknown as Logger & { lines: string[] };
}

const mcpDeps = (log: Logger) => ({ target: { execPath: '/opt/editor/node', cliPath: '/ext/dist/cli.js' }, storage: '/store', version: '1.2.3', log });

test('no vscode.chat and no vscode.lm: no participant, no MCP definition, one log line each, nothing thrown', () => {
  fakeVscode.chat = undefined;
  fakeVscode.lm = undefined;
  const log = logger();
  assert.equal(registerChatParticipant({ data: () => ({ now: 0, accounts: [] }), log }, {} as never), undefined);
  const mcp = registerMcpServer(mcpDeps(log));
  assert.equal(mcp.state, 'unavailable');
  assert.doesNotThrow(() => mcp.disposable.dispose());
  assert.deepEqual(mcp.provided(), []);
  assert.equal(log.lines.length, 2);
  assert.match(log.lines[0]!, /no chat participant API/);
  assert.match(log.lines[1]!, /no MCP server definition API/);
  // A vscode.lm with tools but without MCP (VS Code 1.95–1.99) is the same.
  fakeVscode.lm = { registerTool: () => ({ dispose() {} }) };
  assert.equal(registerMcpServer(mcpDeps(log)).state, 'unavailable');
});

test('the MCP API refuses the call (a proposal not enabled): refused, logged, activation goes on', () => {
  fakeVscode.McpStdioServerDefinition = class {};
  fakeVscode.lm = {
    registerMcpServerDefinitionProvider: () => {
      throw new Error('Extension \'tokstat.tokstat\' CANNOT use API proposal: mcpConfigurationProvider.');
    },
  };
  const log = logger();
  const mcp = registerMcpServer(mcpDeps(log));
  assert.equal(mcp.state, 'refused');
  assert.match(log.lines.join('\n'), /refused the MCP server definition \(.*mcpConfigurationProvider/);
});

test('the MCP API present: VS Code gets the bundled CLI run by its own runtime, `mcp --storage`', () => {
  const made: unknown[][] = [];
  fakeVscode.McpStdioServerDefinition = class {
    constructor(...args: unknown[]) {
      made.push(args);
    }
  };
  let provider: { provideMcpServerDefinitions(t: unknown): unknown[] } | undefined;
  let disposed = 0;
  fakeVscode.lm = {
    registerMcpServerDefinitionProvider: (id: string, p: typeof provider) => {
      assert.equal(id, 'tokstat.mcp');
      provider = p;
      return { dispose: () => void disposed++ };
    },
  };
  const mcp = registerMcpServer(mcpDeps(logger()));
  assert.equal(mcp.state, 'registered');
  assert.deepEqual(mcp.provided(), [], 'nothing until VS Code asks');
  assert.equal(provider!.provideMcpServerDefinitions({}).length, 1);
  assert.deepEqual(made, [['tokstat', '/opt/editor/node', ['/ext/dist/cli.js', 'mcp', '--storage', '/store'], { ELECTRON_RUN_AS_NODE: '1' }, '1.2.3']]);
  assert.equal(mcp.provided().at(-1)?.command, '/opt/editor/node');
  mcp.disposable.dispose();
  assert.equal(disposed, 1);
});

// Offers `tokstat mcp` to VS Code's own agents through the MCP server definition provider API, where the running
// VS Code has it (finalized in 1.101; @types/vscode here is older, so the API is looked up at run time). The server is
// the bundled CLI run by the editor's own runtime (src/core/cliShim.ts mcpLaunch), reading this editor's storage.
import * as vscode from 'vscode';
import { mcpLaunch, type ShimTarget } from '../core/cliShim';
import type { Logger } from '../core/log';

/** The id contributed in package.json `contributes.mcpServerDefinitionProviders`. */
export const MCP_PROVIDER_ID = 'tokstat.mcp';

interface McpProvider {
  provideMcpServerDefinitions(token: vscode.CancellationToken): unknown[];
}
type McpStdioDefinitionCtor = new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => unknown;
interface McpApi {
  registerMcpServerDefinitionProvider?: (id: string, provider: McpProvider) => vscode.Disposable;
}

export interface McpServerDeps {
  target: Pick<ShimTarget, 'execPath' | 'cliPath'>;
  storage: string;
  version: string;
  log: Logger;
}

/** Whether this VS Code can take an MCP server definition from an extension. */
export function mcpApiAvailable(): boolean {
  const lm = vscode.lm as unknown as McpApi | undefined;
  return typeof lm?.registerMcpServerDefinitionProvider === 'function' && typeof (vscode as unknown as { McpStdioServerDefinition?: unknown }).McpStdioServerDefinition === 'function';
}

/** Registers the provider when the API exists; otherwise logs once and returns a no-op. */
export function registerMcpServer(deps: McpServerDeps): vscode.Disposable {
  if (!mcpApiAvailable()) {
    deps.log.info('[mcp] this editor has no MCP server definition API: run `tokstat mcp` from its MCP settings instead');
    return { dispose: () => undefined };
  }
  const Definition = (vscode as unknown as { McpStdioServerDefinition: McpStdioDefinitionCtor }).McpStdioServerDefinition;
  const lm = vscode.lm as unknown as Required<McpApi>;
  return lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
    provideMcpServerDefinitions: () => {
      const l = mcpLaunch(deps.target, deps.storage);
      return [new Definition('tokstat', l.command, l.args, l.env, deps.version)];
    },
  });
}

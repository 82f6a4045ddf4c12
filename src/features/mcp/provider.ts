// Offers `tokstat mcp` to VS Code's own agents through the MCP server definition provider API, where the running
// VS Code has it (finalized in 1.101; @types/vscode here is older, so the API is looked up at run time). The server is
// the bundled CLI run by the editor's own runtime (src/core/cliShim.ts mcpLaunch), reading this editor's storage.
import * as vscode from 'vscode';
import { mcpLaunch, type ShimTarget } from '../../core/cliShim';
import type { Logger } from '../../core/log';

/**
 * The id contributed in package.json, under `contributes.mcpServerDefinitionProviders` (the API as finalized in 1.101)
 * and `contributes.modelContextServerCollections` (the same API as the 1.100 proposal names it, where it is enabled).
 */
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

/**
 * `registered`; `unavailable` (no such API: older VS Code, forks); `refused` (the API is there but refused the call:
 * VS Code 1.100 ships it as a proposal that throws for extensions that did not enable it).
 */
export type McpRegistration = 'registered' | 'unavailable' | 'refused';

export type McpLaunch = ReturnType<typeof mcpLaunch> & { label: string; version: string };

export interface McpServerRegistration {
  state: McpRegistration;
  disposable: vscode.Disposable;
  /** The definitions VS Code asked for so far (the latest last): what it will start. */
  provided(): readonly McpLaunch[];
}

/** Registers the provider when the API exists and accepts it; otherwise logs once and returns a no-op. */
export function registerMcpServer(deps: McpServerDeps): McpServerRegistration {
  const none = { dispose: () => undefined };
  const provided: McpLaunch[] = [];
  const result = (state: McpRegistration, disposable: vscode.Disposable): McpServerRegistration => ({ state, disposable, provided: () => [...provided] });
  if (!mcpApiAvailable()) {
    deps.log.info('[mcp] this editor has no MCP server definition API: add `tokstat mcp` to its MCP configuration instead (README)');
    return result('unavailable', none);
  }
  const Definition = (vscode as unknown as { McpStdioServerDefinition: McpStdioDefinitionCtor }).McpStdioServerDefinition;
  const lm = vscode.lm as unknown as Required<McpApi>;
  try {
    const disposable = lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
      provideMcpServerDefinitions: () => {
        const l = { ...mcpLaunch(deps.target, deps.storage), label: 'tokstat', version: deps.version };
        provided.push(l);
        if (provided.length > 4) provided.shift();
        return [new Definition(l.label, l.command, l.args, l.env, l.version)];
      },
    });
    return result('registered', disposable);
  } catch (e) {
    deps.log.info(`[mcp] this editor refused the MCP server definition (${e instanceof Error ? e.message : String(e)}): add \`tokstat mcp\` to its MCP configuration instead (README)`);
    return result('refused', none);
  }
}

// `tokstat_usage`: a language-model tool so chat (agent mode, `#tokstatUsage`) can answer "how much Copilot do I have
// left?" from tokstat's own data. It never polls or reads secrets: it formats what the extension already has.
import * as vscode from 'vscode';
import { formatToolAnswer, quoteData, type LocalUsageTotals, type ToolAccount } from '../../core/quotaText';
import type { Logger } from '../../core/log';
import { redact } from '../../core/redact';

export const USAGE_TOOL_NAME = 'tokstat_usage';

export interface UsageToolInput {
  question?: string;
  accountName?: string;
}

export interface UsageToolDeps {
  /** Accounts with their current snapshot and pace per meter. */
  accounts(): readonly ToolAccount[];
  /** Today's and this month's local agent totals; undefined when local usage is off or not scanned yet. */
  localUsage?(): Promise<{ today: LocalUsageTotals; month: LocalUsageTotals } | undefined>;
  now(): number;
  log: Logger;
}

export class UsageTool implements vscode.LanguageModelTool<UsageToolInput> {
  constructor(private readonly deps: UsageToolDeps) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<UsageToolInput>): vscode.PreparedToolInvocation {
    // The agent's argument, shown in the chat UI: one quoted line, cut short.
    const name = typeof options.input?.accountName === 'string' && options.input.accountName.trim() ? quoteData(options.input.accountName, 60) : '';
    return { invocationMessage: name ? vscode.l10n.t('Reading tokstat usage for {0}', name) : vscode.l10n.t('Reading tokstat usage') };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<UsageToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = options.input ?? {};
    let local: Awaited<ReturnType<NonNullable<UsageToolDeps['localUsage']>>>;
    try {
      local = token.isCancellationRequested ? undefined : await this.deps.localUsage?.();
    } catch (e) {
      this.deps.log.warn(`[lm-tool] local usage unavailable: ${redact(e instanceof Error ? e.message : String(e))}`);
    }
    const text = formatToolAnswer({
      now: this.deps.now(),
      accounts: this.deps.accounts(),
      ...(local ? { local } : {}),
      ...(typeof input.accountName === 'string' && input.accountName.trim() ? { accountName: input.accountName } : {}),
    });
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
  }
}

/** Registers the tool when the running VS Code has the API (it is optional for older/forked editors). */
export function registerUsageTool(deps: UsageToolDeps): vscode.Disposable {
  if (typeof vscode.lm?.registerTool !== 'function') {
    deps.log.info('[lm-tool] language model tools are not available in this editor');
    return { dispose: () => undefined };
  }
  return vscode.lm.registerTool(USAGE_TOOL_NAME, new UsageTool(deps));
}

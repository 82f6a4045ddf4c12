import * as vscode from 'vscode';
import { normaliseName, validateAccountName } from '../core/accounts';
import { testConnection } from '../core/fetcher';
import type { Account } from '../shared/model';
import type { ConnectionInfo, ProviderDefinition } from '../core/providers/types';
import type { CommandDeps } from './deps';
import { errorText } from './deps';

/**
 * Asks for an API key, checks its format as the user types, then checks it against the provider before accepting.
 * A rejected key keeps the box open with the server's reason. Resolves undefined when dismissed.
 */
export function promptForKey(
  deps: CommandDeps,
  provider: ProviderDefinition,
  account: Account,
  title: string,
): Promise<{ key: string; info: ConnectionInfo } | undefined> {
  const hint = provider.keyHint;
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    const disposables: vscode.Disposable[] = [box];
    let ac: AbortController | undefined;
    let done = false;
    const finish = (v: { key: string; info: ConnectionInfo } | undefined) => {
      if (done) return;
      done = true;
      ac?.abort();
      for (const d of disposables) d.dispose();
      resolve(v);
    };
    box.title = title;
    box.password = true;
    box.ignoreFocusOut = true;
    box.placeholder = hint?.placeholder ?? vscode.l10n.t('API key');
    box.prompt = hint?.prompt ?? vscode.l10n.t("Paste your {0} API key. It is stored only in VS Code's secret storage.", provider.displayName);
    const check = (v: string): vscode.InputBoxValidationMessage | undefined => {
      if (v.trim() === '') return undefined;
      const r = hint?.validate(v.trim()) ?? {};
      if (r.error) return { message: r.error, severity: vscode.InputBoxValidationSeverity.Error };
      if (r.warning) return { message: r.warning, severity: vscode.InputBoxValidationSeverity.Warning };
      return undefined;
    };
    disposables.push(
      box.onDidChangeValue((v) => {
        box.validationMessage = check(v);
      }),
      box.onDidAccept(async () => {
        const key = box.value.trim();
        if (key === '') {
          box.validationMessage = { message: vscode.l10n.t('Paste a key first.'), severity: vscode.InputBoxValidationSeverity.Error };
          return;
        }
        const v = check(key);
        if (v && v.severity === vscode.InputBoxValidationSeverity.Error) return;
        box.busy = true;
        box.enabled = false;
        box.validationMessage = { message: vscode.l10n.t('Checking the key with {0}…', provider.displayName), severity: vscode.InputBoxValidationSeverity.Info };
        ac = new AbortController();
        try {
          const info = await testConnection(deps.fetcherDeps, account, key, ac.signal);
          finish({ key, info });
        } catch (err) {
          if (done) return;
          deps.log.warn(`[accounts] ${provider.displayName} key check failed: ${errorText(err)}`);
          box.validationMessage = { message: errorText(err), severity: vscode.InputBoxValidationSeverity.Error };
          box.busy = false;
          box.enabled = true;
        }
      }),
      box.onDidHide(() => finish(undefined)),
    );
    box.show();
  });
}

export async function promptForName(deps: CommandDeps, title: string, suggested: string, ignoreId?: string): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('A name to tell this account apart in the status bar, tree and dashboard.'),
    value: suggested,
    valueSelection: [0, suggested.length],
    ignoreFocusOut: true,
    validateInput: (v) => validateAccountName(v, deps.repo.list(), ignoreId),
  });
  return name === undefined ? undefined : normaliseName(name);
}

import * as vscode from 'vscode';
import { setL10n } from '../shared/l10n';

/**
 * Points the shared code's translator (src/shared/l10n.ts) at VS Code's: the text the status bar, the tree and the
 * notifications build with src/shared (formats, pace sentences, error reasons) then reads in the display language,
 * and numbers, money and dates follow `vscode.env.language`.
 */
export function installL10n(): vscode.Disposable {
  setL10n((message, ...args) => vscode.l10n.t(message, ...args), vscode.env.language);
  return { dispose: () => setL10n(undefined, undefined) };
}

/** What the dashboard needs to speak the same language: the locale and, when not English, the loaded bundle. */
export function webviewL10n(): { locale: string; bundle?: Record<string, string> } {
  const bundle = vscode.l10n.bundle;
  return bundle ? { locale: vscode.env.language, bundle: bundle as Record<string, string> } : { locale: vscode.env.language };
}

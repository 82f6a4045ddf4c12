// A minimal stand-in for the `vscode` module, enough to run the bundled extension's activate() in plain Node for
// the activation benchmark. It records what activate() registers; it does not render anything.
import * as path from 'node:path';
import { formatMessage, type L10nArg } from '../src/shared/l10n';

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private ls = new Set<Listener<T>>();
  event = (l: Listener<T>) => {
    this.ls.add(l);
    return { dispose: () => this.ls.delete(l) };
  };
  fire(e: T): void {
    for (const l of [...this.ls]) l(e);
  }
  dispose(): void {
    this.ls.clear();
  }
}

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
}

export function createVscodeStub(opts: { globalStorage: string; settings?: Record<string, unknown> }) {
  const registered: string[] = [];
  const noop = () => new Disposable();
  const item = () => ({ text: '', tooltip: undefined, show() {}, hide() {}, dispose() {} });
  const settings = opts.settings ?? {};
  const vscode = {
    EventEmitter,
    Disposable,
    StatusBarAlignment: { Left: 1, Right: 2 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, One: 1 },
    InputBoxValidationSeverity: { Info: 1, Warning: 2, Error: 3 },
    ThemeIcon: class { constructor(public id: string, public color?: unknown) {} },
    ThemeColor: class { constructor(public id: string) {} },
    MarkdownString: class {
      value = '';
      isTrusted: unknown;
      constructor(v = '', public supportThemeIcons = false) { this.value = v; }
      appendMarkdown(s: string) { this.value += s; return this; }
      appendText(s: string) { this.value += s; return this; }
    },
    TreeItem: class { constructor(public label: unknown, public collapsibleState?: number) {} },
    Uri: {
      file: (p: string) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` }),
      joinPath: (u: { fsPath: string }, ...parts: string[]) => ({ fsPath: path.join(u.fsPath, ...parts) }),
      parse: (s: string) => ({ toString: () => s }),
    },
    window: {
      createOutputChannel: () => ({ trace() {}, debug() {}, info() {}, warn() {}, error() {}, append() {}, appendLine() {}, show() {}, dispose() {} }),
      createStatusBarItem: item,
      createTreeView: () => ({ dispose() {} }),
      registerWebviewPanelSerializer: noop,
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
      setStatusBarMessage: noop,
    },
    commands: {
      registerCommand: (id: string) => {
        registered.push(id);
        return new Disposable();
      },
      executeCommand: async () => undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (k: string) => settings[k], inspect: (k: string) => ({ key: k, globalValue: settings[k] }) }),
      onDidChangeConfiguration: noop,
      onDidChangeWorkspaceFolders: noop,
      workspaceFolders: undefined,
    },
    authentication: {
      onDidChangeSessions: noop,
      getAccounts: async () => [],
      getSession: async () => undefined,
    },
    env: { clipboard: { writeText: async () => undefined }, openExternal: async () => true, uiKind: 1, language: 'en', remoteName: undefined, appName: 'Visual Studio Code' },
    // VS Code in English: no bundle, the message with its arguments in place.
    l10n: { t: (message: string, ...args: L10nArg[]) => formatMessage(message, args), bundle: undefined, uri: undefined },
    UIKind: { Desktop: 1, Web: 2 },
  };
  return { vscode, registered };
}

// Loads modules that import `vscode` against an in-memory stand-in, for unit tests on plain Node. Only the loads done
// inside `load` see the stub (and the modules they pull in are cached with it); the real loader is back afterwards.
import Module from 'node:module';
import { formatMessage, type L10nArg } from '../../src/shared/l10n';

const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };

/** `vscode.l10n` with no bundle loaded, as VS Code has it in English: the message with its arguments in place. */
export const englishL10n = {
  t: (message: string, ...args: L10nArg[]) => formatMessage(message, args),
  bundle: undefined,
  uri: undefined,
};

export function withVscodeStub<T>(stub: unknown, load: () => T): T {
  // Every module of ours translates its user-facing strings through `vscode.l10n.t`: a stub without its own gets English.
  if (stub && typeof stub === 'object' && !('l10n' in stub)) (stub as { l10n?: unknown }).l10n = englishL10n;
  const originalLoad = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return stub;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    return load();
  } finally {
    M._load = originalLoad;
  }
}

/** In-memory stand-ins for the tree and Markdown classes of `vscode` that the tree nodes and tooltips use. */
export const treeFakes = {
  TreeItem: class {
    id?: string;
    description?: string;
    tooltip?: unknown;
    iconPath?: unknown;
    contextValue?: string;
    accessibilityInformation?: unknown;
    command?: unknown;
    constructor(
      readonly label: string,
      readonly collapsibleState: number,
    ) {}
  },
  MarkdownString: class {
    value: string;
    isTrusted?: unknown;
    constructor(v?: string) {
      this.value = v ?? '';
    }
    appendMarkdown(s: string) {
      this.value += s;
      return this;
    }
    appendText(s: string) {
      this.value += s;
      return this;
    }
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class {
    constructor(
      readonly id: string,
      readonly color?: unknown,
    ) {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  Uri: { parse: (s: string) => ({ scheme: s.split(':')[0], toString: () => s }) },
  /** `vscode.l10n.t` without a bundle: the English message with its `{0}` placeholders filled. */
  l10n: { t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)])) },
};

/** What `WorkspaceConfiguration.inspect` reports for one setting: its value at each level. */
export interface InspectValues {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * A `vscode.workspace` whose settings of `section` come from `values()` (setting → its levels). `get` answers as a
 * host that ignored a setting's scope would: the workspace folder's value wins, then the workspace's, the user's, the
 * default — so a test can tell code that reads the user's value from code that takes whatever `get` says.
 */
export function configurationStub(section: string, values: () => Record<string, InspectValues>) {
  return {
    getConfiguration: (asked: string) => {
      if (asked !== section) throw new Error(`configurationStub: asked for "${asked}", serves "${section}"`);
      return {
        inspect: (key: string) => ({ key: `${section}.${key}`, ...(values()[key] ?? {}) }),
        get: (key: string) => {
          const v = values()[key] ?? {};
          return v.workspaceFolderValue ?? v.workspaceValue ?? v.globalValue ?? v.defaultValue;
        },
      };
    },
  };
}

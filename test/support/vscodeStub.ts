// Loads modules that import `vscode` against an in-memory stand-in, for unit tests on plain Node. Only the loads done
// inside `load` see the stub (and the modules they pull in are cached with it); the real loader is back afterwards.
import Module from 'node:module';

const M = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };

export function withVscodeStub<T>(stub: unknown, load: () => T): T {
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
};

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

// In-memory SecretStorage and Memento fakes. `SharedSecretBackend` stands for the secret store all VS Code
// windows share: each window gets its own view whose onDidChange fires for every write, as VS Code does.
import { Emitter } from '../../src/core/events';
import type { KeyValueStore, SecretStore } from '../../src/core/accountRepository';

export class MemoryKeyValueStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

export class SharedSecretBackend {
  readonly data = new Map<string, string>();
  private readonly views: Emitter<{ key: string }>[] = [];

  view(): SecretStore {
    const emitter = new Emitter<{ key: string }>();
    this.views.push(emitter);
    return {
      get: async (key) => this.data.get(key),
      store: async (key, value) => {
        this.data.set(key, value);
        this.broadcast(key);
      },
      delete: async (key) => {
        this.data.delete(key);
        this.broadcast(key);
      },
      onDidChange: emitter.event,
    };
  }

  private broadcast(key: string): void {
    // VS Code delivers change events asynchronously.
    setImmediate(() => {
      for (const v of this.views) v.fire({ key });
    });
  }
}

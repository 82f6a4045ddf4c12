// In-memory SecretStorage, Memento, snapshot-store and alert-state-store fakes. `SharedSecretBackend` stands for the secret store all VS Code
// windows share: each window gets its own view whose onDidChange fires for every write, as VS Code does.
import { Emitter } from '../../src/core/events';
import type { KeyValueStore, SecretStore } from '../../src/core/accountRepository';
import { sanitizeAlertState } from '../../src/core/alerts/stateStore';
import type { AlertState, AlertStateStore } from '../../src/core/alerts/types';
import type { Disposable } from '../../src/core/events';
import type { Logger } from '../../src/core/log';
import { assertValidAccountId, validateAccountState, type AccountState, type SnapshotStore } from '../../src/core/state/snapshotStore';

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

/** A snapshot store in memory. `simulateExternalWrite` plays the part of another window. */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly data = new Map<string, string>();
  private readonly listeners = new Set<(accountId: string) => void>();
  private disposed = false;
  /** Count of write() calls, for tests. */
  writes = 0;

  constructor(_log?: Logger) {}

  async read(accountId: string): Promise<AccountState | undefined> {
    assertValidAccountId(accountId);
    const raw = this.data.get(accountId);
    if (raw === undefined) return undefined;
    const parsed = JSON.parse(raw) as unknown;
    return validateAccountState(parsed, accountId) ? undefined : (parsed as AccountState);
  }

  async write(accountId: string, state: AccountState): Promise<void> {
    assertValidAccountId(accountId);
    this.writes++;
    this.data.set(accountId, JSON.stringify(state));
  }

  async delete(accountId: string): Promise<void> {
    assertValidAccountId(accountId);
    this.data.delete(accountId);
  }

  async list(): Promise<string[]> {
    return [...this.data.keys()].sort();
  }

  onDidChangeExternally(listener: (accountId: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Writes as another process would, then notifies. `undefined` deletes. */
  simulateExternalWrite(accountId: string, state: AccountState | undefined): void {
    if (state) this.data.set(accountId, JSON.stringify(state));
    else this.data.delete(accountId);
    if (!this.disposed) for (const l of [...this.listeners]) l(accountId);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/** For tests: stores the serialised text, so callers never share object references with the "file". */
export class InMemoryAlertStateStore implements AlertStateStore {
  private text: string | undefined;

  async load(): Promise<AlertState> {
    return this.read();
  }

  /** Atomic by construction: nothing between the read and the write awaits. */
  async update(change: (state: AlertState) => AlertState | undefined): Promise<void> {
    const next = change(this.read());
    if (next) this.text = JSON.stringify(next);
  }

  private read(): AlertState {
    return sanitizeAlertState(this.text === undefined ? undefined : JSON.parse(this.text));
  }
}

// VS Code's globalState as several windows see it: one value per key, last write wins, and a window sees another
// window's write only `delayMs` later (on the fake clock), as a change takes time to reach the other windows of the
// profile (measured in code-server: README "Remote development"). A window sees its own writes at once.
import type { KeyValueStore } from '../../src/core/accountRepository';
import type { FakeClock } from './fakeClock';

interface Write {
  at: number;
  by: string;
  text: string | undefined;
}

export class SharedMementoBackend {
  private readonly writes = new Map<string, Write[]>();
  /** update() calls per window, for tests. */
  readonly updates = new Map<string, number>();

  constructor(
    private readonly clock: FakeClock,
    public delayMs = 0,
  ) {}

  /** The store as window `name` sees it. */
  view(name: string): KeyValueStore {
    return {
      get: <T>(key: string): T | undefined => {
        const now = this.clock.now();
        const visible = (this.writes.get(key) ?? []).filter((w) => w.by === name || w.at + this.delayMs <= now);
        const last = visible[visible.length - 1];
        return last?.text === undefined ? undefined : (JSON.parse(last.text) as T);
      },
      update: async (key: string, value: unknown): Promise<void> => {
        this.updates.set(name, (this.updates.get(name) ?? 0) + 1);
        const list = this.writes.get(key) ?? [];
        list.push({ at: this.clock.now(), by: name, text: value === undefined ? undefined : JSON.stringify(value) });
        this.writes.set(key, list);
      },
    };
  }

  /** Puts a raw value (a foreign or damaged one) as if another window wrote it long ago. */
  plant(key: string, value: unknown): void {
    this.writes.set(key, [{ at: -Infinity, by: 'planted', text: JSON.stringify(value) }]);
  }
}

// The account list mirrored to `<storage>/accounts.json` (id, name, provider id: nothing secret, no e-mail, no
// settings), so the CLI (`tokstat quota`, `guard`, `mcp`, read by src/cli/snapshots.ts) can name the accounts whose
// snapshots it reads: the accounts themselves live in VS Code's globalState and secret storage, out of its reach.
// Written whole and private (a temporary file, then a rename), one write at a time; every window writes the same list.
import * as path from 'node:path';
import type { Account } from '../../shared/model';
import type { Disposable, Event } from '../events';
import type { Logger } from '../log';
import { mkdirPrivate, renameWithRetry, writeFilePrivate } from '../privateFs';
import { redact } from '../redact';
import { SerialQueue } from '../serial';

export const ACCOUNTS_MIRROR_FILE = 'accounts.json';

export interface AccountsMirrorDeps {
  storage: string;
  list(): readonly Pick<Account, 'id' | 'name' | 'providerId'>[];
  onDidChange: Event<void>;
  log: Pick<Logger, 'warn'>;
}

/** The file's text for `accounts`. */
export function accountsMirrorText(accounts: readonly Pick<Account, 'id' | 'name' | 'providerId'>[]): string {
  return `${JSON.stringify({ version: 1, accounts: accounts.map((a) => ({ id: a.id, name: a.name, providerId: a.providerId })) }, null, 1)}\n`;
}

export class AccountsMirror implements Disposable {
  private readonly queue = new SerialQueue();
  private written: string | undefined;
  private seq = 0;
  private readonly sub: Disposable;

  constructor(private readonly deps: AccountsMirrorDeps) {
    this.sub = deps.onDidChange(() => void this.write());
  }

  /** Writes the current list (skipped when unchanged); resolves when this write is done. Never rejects. */
  write(): Promise<void> {
    return this.queue.run(() => this.writeNow()).catch((e: unknown) => this.deps.log.warn(`[accounts] could not write ${ACCOUNTS_MIRROR_FILE}: ${redact(e instanceof Error ? e.message : String(e))}`));
  }

  private async writeNow(): Promise<void> {
    const text = accountsMirrorText(this.deps.list());
    if (text === this.written) return;
    await mkdirPrivate(this.deps.storage);
    const file = path.join(this.deps.storage, ACCOUNTS_MIRROR_FILE);
    // Its own temporary name per window and write: two windows may write at once (the same list).
    const tmp = `${file}.${process.pid}.${++this.seq}.tmp`;
    await writeFilePrivate(tmp, text);
    await renameWithRetry(tmp, file);
    this.written = text;
  }

  dispose(): void {
    this.sub.dispose();
  }
}

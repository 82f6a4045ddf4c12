// Accounts: metadata in a key-value store (VS Code globalState), credentials only in a secret store (VS Code
// SecretStorage). SecretStorage is shared by all windows and raises change events in each of them, while
// globalState is flushed lazily; so the secret store also carries an index of account ids and, next to each
// credential, a copy of the account's metadata. That lets every window see adds/removes made elsewhere and
// lets start-up recover an account whose metadata was lost in a crash (or drop one whose removal was cut short).
import { Emitter, type Disposable, type Event } from './events';
import type { Logger } from './log';
import type { Account } from '../shared/model';
import { sortAccounts } from './accounts';

export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
}

export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  onDidChange: Event<{ key: string }>;
}

export const ACCOUNTS_KEY = 'tokstat.accounts.v1';
export const INDEX_KEY = 'tokstat.index.v1';
const SECRET_PREFIX = 'tokstat.account.';

interface SecretPayload {
  v: 1;
  account: Account;
  secret?: string;
}

export function secretKey(accountId: string): string {
  return SECRET_PREFIX + accountId;
}

function isAccount(a: unknown): a is Account {
  if (!a || typeof a !== 'object') return false;
  const o = a as Record<string, unknown>;
  return typeof o.id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(o.id) && typeof o.providerId === 'string' && typeof o.name === 'string' &&
    typeof o.createdAt === 'number' && typeof o.authKind === 'string' && typeof o.settings === 'object' && o.settings !== null;
}

function parsePayload(raw: string | undefined): SecretPayload | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as SecretPayload;
    return p && p.v === 1 && isAccount(p.account) ? p : undefined;
  } catch {
    return undefined;
  }
}

export class AccountRepository implements Disposable {
  private accounts: Account[] = [];
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: Disposable;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  /** Last value this window wrote or read per secret key: a change event whose value equals it is an echo. */
  private readonly known = new Map<string, string | undefined>();
  private readonly credentialsChanged = new Emitter<string>();
  /** A credential was changed in another window (the account id). */
  readonly onDidChangeCredentials = this.credentialsChanged.event;

  constructor(
    private readonly state: KeyValueStore,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {
    this.sub = secrets.onDidChange(({ key }) => {
      if (key !== INDEX_KEY && !key.startsWith(SECRET_PREFIX)) return;
      this.onSecretChanged(key).catch((err) => this.log.error(`[accounts] reload failed: ${String(err)}`));
    });
  }

  private async onSecretChanged(key: string): Promise<void> {
    const before = this.known.get(key);
    const value = await this.secrets.get(key);
    if (this.known.has(key) && value === before) return; // our own write echoed back
    this.known.set(key, value);
    this.log.info(`[accounts] change from another window (${key === INDEX_KEY ? 'index' : 'account'}); reloading`);
    await this.reload();
    if (key.startsWith(SECRET_PREFIX)) {
      const id = key.slice(SECRET_PREFIX.length);
      const prev = parsePayload(before)?.secret;
      const now = parsePayload(value)?.secret;
      if (this.get(id) && prev !== now) this.credentialsChanged.fire(id);
    }
  }

  list(): Account[] {
    return this.accounts;
  }

  get(id: string): Account | undefined {
    return this.accounts.find((a) => a.id === id);
  }

  /** Loads accounts and repairs either half (metadata or secret index) left behind by a crash. */
  async load(): Promise<void> {
    await this.reload();
  }

  /** Re-reads both stores; concurrent calls are coalesced. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.readBoth();
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async readBoth(): Promise<void> {
    const stored = (this.state.get<unknown[]>(ACCOUNTS_KEY) ?? []).filter(isAccount);
    const indexRaw = await this.readSecret(INDEX_KEY);
    let index: string[] | undefined;
    try {
      const parsed = indexRaw ? (JSON.parse(indexRaw) as unknown) : undefined;
      if (Array.isArray(parsed)) index = parsed.filter((x): x is string => typeof x === 'string');
    } catch {
      this.log.warn('[accounts] the account index in secret storage is unreadable; rebuilding it from metadata');
    }
    let next: Account[];
    if (index === undefined) {
      // First run, or secret storage was reset: metadata is all we have; credentials may be missing (→ sign in again).
      next = stored;
      if (stored.length > 0) await this.writeIndex(stored.map((a) => a.id));
    } else {
      const byId = new Map(stored.map((a) => [a.id, a]));
      next = [];
      for (const id of index) {
        const payload = parsePayload(await this.readSecret(secretKey(id)));
        const meta = byId.get(id);
        // The secret-side copy is written synchronously with every change, so it wins over lazily-flushed metadata.
        const account = payload?.account ?? meta;
        if (!account) {
          this.log.warn(`[accounts] account ${id} is in the index but has neither metadata nor credentials; dropping it`);
          continue;
        }
        if (!meta) this.log.info(`[accounts] recovered metadata of "${account.name}" from secret storage`);
        next.push(account);
      }
      const dropped = stored.filter((a) => !index!.includes(a.id));
      for (const a of dropped) this.log.info(`[accounts] "${a.name}" was removed (in another window or before a crash)`);
    }
    next = sortAccounts(next);
    if (JSON.stringify(next) !== JSON.stringify(stored)) await this.state.update(ACCOUNTS_KEY, next);
    const changed = JSON.stringify(next) !== JSON.stringify(this.accounts);
    this.accounts = next;
    if (changed) this.changed.fire();
  }

  async add(account: Account, secret: string | undefined): Promise<void> {
    if (!isAccount(account)) throw new Error('Invalid account');
    await this.writePayload({ v: 1, account, ...(secret !== undefined ? { secret } : {}) });
    await this.writeIndex([...this.accounts.map((a) => a.id), account.id]);
    this.accounts = sortAccounts([...this.accounts.filter((a) => a.id !== account.id), account]);
    await this.state.update(ACCOUNTS_KEY, this.accounts);
    this.changed.fire();
  }

  async update(id: string, patch: Partial<Pick<Account, 'name' | 'settings'>>): Promise<Account> {
    const current = this.get(id);
    if (!current) throw new Error('The account no longer exists.');
    const next: Account = { ...current, ...patch, settings: { ...current.settings, ...(patch.settings ?? {}) } };
    const payload = parsePayload(await this.secrets.get(secretKey(id)));
    await this.writePayload({ v: 1, account: next, ...(payload?.secret !== undefined ? { secret: payload.secret } : {}) });
    this.accounts = sortAccounts(this.accounts.map((a) => (a.id === id ? next : a)));
    await this.state.update(ACCOUNTS_KEY, this.accounts);
    this.changed.fire();
    return next;
  }

  async remove(id: string): Promise<void> {
    const rest = this.accounts.filter((a) => a.id !== id);
    // Index first: once the id leaves the index the account is gone in every window, whatever else a crash leaves.
    await this.writeIndex(rest.map((a) => a.id));
    this.known.set(secretKey(id), undefined);
    await this.secrets.delete(secretKey(id));
    this.accounts = rest;
    await this.state.update(ACCOUNTS_KEY, rest);
    this.changed.fire();
  }

  async getSecret(id: string): Promise<string | undefined> {
    return parsePayload(await this.secrets.get(secretKey(id)))?.secret;
  }

  async setSecret(id: string, secret: string): Promise<void> {
    const account = this.get(id);
    if (!account) throw new Error('The account no longer exists.');
    await this.writePayload({ v: 1, account, secret });
    this.changed.fire();
  }

  private async readSecret(key: string): Promise<string | undefined> {
    const v = await this.secrets.get(key);
    this.known.set(key, v);
    return v;
  }

  private async writePayload(p: SecretPayload): Promise<void> {
    const key = secretKey(p.account.id);
    const value = JSON.stringify(p);
    this.known.set(key, value);
    await this.secrets.store(key, value);
  }

  private async writeIndex(ids: string[]): Promise<void> {
    const value = JSON.stringify([...new Set(ids)]);
    this.known.set(INDEX_KEY, value);
    await this.secrets.store(INDEX_KEY, value);
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
    this.credentialsChanged.dispose();
  }
}

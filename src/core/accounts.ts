// Pure account rules shared by the commands and the store: ids, names, uniqueness.
import { randomUUID } from 'node:crypto';
import type { Account } from '../shared/model';

export const MAX_NAME_LENGTH = 60;

export function newAccountId(): string {
  // File-name safe (snapshots are stored per account id).
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

export function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** Returns an error message for an unusable name, or undefined. Names are unique case-insensitively. */
export function validateAccountName(name: string, existing: readonly Account[], ignoreId?: string): string | undefined {
  const n = normaliseName(name);
  if (n === '') return 'Enter a name for the account.';
  if (n.length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters.`;
  if (n.includes('/')) return 'A name cannot contain "/" (it separates account and meter in tokstat.statusBar.pinned).';
  const clash = existing.find((a) => a.id !== ignoreId && a.name.toLowerCase() === n.toLowerCase());
  if (clash) return `An account named "${clash.name}" already exists.`;
  return undefined;
}

/** A free name based on `base`: `base`, `base (2)`, `base (3)`, … */
export function uniqueName(base: string, existing: readonly Account[]): string {
  const b = normaliseName(base).slice(0, MAX_NAME_LENGTH - 5) || 'account';
  const taken = new Set(existing.map((a) => a.name.toLowerCase()));
  if (!taken.has(b.toLowerCase())) return b;
  for (let i = 2; ; i++) {
    const c = `${b} (${i})`;
    if (!taken.has(c.toLowerCase())) return c;
  }
}

export function sortAccounts(accounts: readonly Account[]): Account[] {
  return [...accounts].sort((a, b) => a.providerId.localeCompare(b.providerId) || a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
}

// The Spend feature wired: the vendors' day store, the SpendFeature over the accounts, the history and the agents'
// usage, which account a local session belongs to (by the home its log is under), and this month's summary
// recomputed shortly after the accounts or the agents' usage change. src/extension.ts creates it and disposes it.
import * as path from 'node:path';
import type { Disposable } from '../../core/events';
import type { Account } from '../../shared/model';
import type { CredentialEnv } from '../../core/providers/types';
import { accountHome, homeKind, sessionOwner, type SessionOwnerFn } from '../../core/homes';
import { SpendDayStore } from './core/store';
import { SpendFeature, type SpendFeatureDeps } from './core/feature';

/** How long an attribution of sessions to accounts is reused (the accounts and the log files change rarely). */
const OWNERS_TTL_MS = 30_000;
/** This month's summary waits this long after a change, so a burst of polls sums once. */
const SUMMARY_DELAY_MS = 2_000;

export interface SpendWiring extends Omit<SpendFeatureDeps, 'store' | 'sessionOwner'> {
  /** The extension's storage folder (the day store goes in `spend/` under it). */
  storage: string;
  accounts(): readonly Account[];
  /** The agents' log files read so far. */
  logFiles(): string[];
  credentialEnv(): CredentialEnv;
  /** Fire when the accounts or the agents' usage change. */
  onDidChange: Array<(listener: () => void) => Disposable>;
}

/** Which account each local session belongs to, rebuilt at most every OWNERS_TTL_MS. */
export function cachedSessionOwner(deps: Pick<SpendWiring, 'accounts' | 'logFiles' | 'credentialEnv' | 'now'>): SessionOwnerFn {
  let owners: { at: number; fn: SessionOwnerFn } | undefined;
  const current = (): SessionOwnerFn => {
    const now = deps.now();
    if (owners && now - owners.at < OWNERS_TTL_MS) return owners.fn;
    const env = deps.credentialEnv();
    const homes = deps.accounts().flatMap((a) => {
      const kind = homeKind(a.providerId);
      return kind ? [{ agent: kind.agent, dir: accountHome(kind, a, env), id: a.id, label: a.name }] : [];
    });
    owners = { at: now, fn: sessionOwner(homes.length ? deps.logFiles() : [], homes) };
    return owners.fn;
  };
  return (agent, sessionId) => current()(agent, sessionId);
}

export function createSpend(w: SpendWiring): { spend: SpendFeature; days: SpendDayStore; disposable: Disposable } {
  const days = new SpendDayStore({ folder: path.join(w.storage, 'spend'), log: w.log });
  const spend = new SpendFeature({ ...w, store: days, sessionOwner: cachedSessionOwner(w) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void spend.refreshSummary();
    }, SUMMARY_DELAY_MS);
  };
  const subs = w.onDidChange.map((on) => on(soon));
  return {
    spend,
    days,
    disposable: {
      dispose: () => {
        if (timer) clearTimeout(timer);
        for (const s of subs) s.dispose();
        spend.dispose();
      },
    },
  };
}

import * as vscode from 'vscode';
import type { Thresholds } from '../shared/format';
import type { Logger } from '../core/log';
import { cleanPins } from '../core/pins';
import type { ExportSettings } from '../core/export/config';

/**
 * Settings that decide where a credential or a request goes, which local files are read, or what stored data is
 * deleted. package.json gives each of them `application` or `machine` scope, so VS Code ignores them in a
 * workspace's or folder's settings; this class reads them from the user's settings (or the default) only, so a
 * workspace value can never win, even on a host that does not honour the scope. A cloned repository's
 * `.vscode/settings.json` therefore cannot point tokstat's keys at a host of its choosing.
 * The manifest test (test/unit/host/settingsScope.unit.test.ts) keeps this list and package.json in step.
 */
export const USER_ONLY_SETTINGS = [
  'pollIntervals',
  'endpoints',
  'github.oauthClientId',
  'github.enterpriseHost',
  'requestTimeoutSeconds',
  'discovery.enabled',
  'pricing.offline',
  'pricing.overrides',
  'pricing.url',
  'history.retention',
  'localUsage.enabled',
  'localUsage.claudeConfigDirs',
  'localUsage.codexHomes',
  'localUsage.geminiDirs',
  'localUsage.opencodeDirs',
  'incidents.enabled',
  'incidents.statusPages',
  'polling.adaptive',
  'localUsage.copilotHomes',
  'export.enabled',
  'export.target',
  'export.endpoint',
  'export.protocol',
  'export.intervalSeconds',
  'export.team',
  'export.userId',
  'export.hashUserId',
  'export.resourceAttributes',
  'export.includeProjectNames',
] as const;
export type UserOnlySetting = (typeof USER_ONLY_SETTINGS)[number];

/**
 * A setting's value from the user's settings (local, or the remote's user settings in a remote window), else its
 * default: never a workspace's or folder's value. For every setting that steers keys, requests or file reads —
 * tokstat's own (Config) and VS Code's network settings (netSettings.ts).
 */
export function userValue<T>(c: vscode.WorkspaceConfiguration, key: string, onWorkspaceValue?: () => void): T | undefined {
  const i = c.inspect<T>(key);
  if (!i) return undefined;
  if (onWorkspaceValue && (i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined)) onWorkspaceValue();
  return i.globalValue !== undefined ? i.globalValue : i.defaultValue;
}

/** Typed access to tokstat's settings. */
export class Config {
  private readonly told = new Set<string>();

  constructor(private readonly log?: Logger) {}

  private get c(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('tokstat');
  }

  /**
   * A user-only setting: the user's value (local, or the remote's user settings in a remote window), else the
   * default. VS Code already drops workspace values of application- and machine-scoped settings (its Settings editor
   * says so); a host that does not still reports them here, and they are ignored and logged once per setting.
   */
  private user<T>(key: UserOnlySetting): T | undefined {
    return userValue<T>(this.c, key, () => {
      if (this.told.has(key)) return;
      this.told.add(key);
      this.log?.warn(`[settings] "tokstat.${key}" set in this workspace is ignored: it decides where keys, requests or file reads go, so only your user settings can set it`);
    });
  }

  endpoints(): Record<string, unknown> {
    const v = this.user<unknown>('endpoints');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  }

  pollIntervalSeconds(providerId: string): number | undefined {
    const all = this.user<unknown>('pollIntervals');
    const v = all && typeof all === 'object' ? (all as Record<string, unknown>)[providerId] : undefined;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  }

  oauthClientId(): string {
    const v = this.user<unknown>('github.oauthClientId');
    return typeof v === 'string' ? v.trim() : '';
  }

  /**
   * The GitHub Enterprise host: tokstat's own setting, else VS Code's `github-enterprise.uri` (the one VS Code's
   * GitHub Enterprise sign-in uses), both from the user's settings only: a workspace value of either is ignored.
   */
  enterpriseHost(): string {
    const own = hostOf(this.user<unknown>('github.enterpriseHost'));
    if (own) return own;
    return hostOf(
      userValue<unknown>(vscode.workspace.getConfiguration('github-enterprise'), 'uri', () => {
        if (this.told.has('github-enterprise.uri')) return;
        this.told.add('github-enterprise.uri');
        this.log?.warn('[settings] "github-enterprise.uri" set in this workspace is not used for tokstat\'s GitHub host: only your user settings can set it');
      }),
    );
  }

  statusBarEnabled(): boolean {
    return this.c.get<boolean>('statusBar.enabled') ?? true;
  }

  statusBarPinned(): string {
    return this.c.get<string>('statusBar.pinned') ?? '';
  }

  /** Meters pinned as their own status bar items, left to right (cleaned: strings, no duplicates, bounded). */
  statusBarPins(): string[] {
    return cleanPins(this.c.get<unknown>('statusBar.pins'));
  }

  statusBarCombine(): boolean {
    return this.c.get<boolean>('statusBar.combine') === true;
  }

  statusBarShow(): 'used' | 'remaining' {
    return this.c.get<string>('statusBar.show') === 'remaining' ? 'remaining' : 'used';
  }

  thresholds(): Thresholds {
    const w = this.c.get<number>('thresholds.warning') ?? 80;
    const e = this.c.get<number>('thresholds.error') ?? 95;
    return { warning: Math.min(w, e), error: Math.max(w, e) };
  }

  historyRetention(): unknown {
    return this.user<unknown>('history.retention');
  }

  localUsageEnabled(): boolean {
    return this.user<unknown>('localUsage.enabled') !== false;
  }

  localUsageDirs(kind: 'claudeConfigDirs' | 'codexHomes' | 'geminiDirs' | 'opencodeDirs' | 'copilotHomes'): string[] {
    const v = this.user<unknown>(`localUsage.${kind}`);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  }

  pricingOffline(): boolean {
    return this.user<unknown>('pricing.offline') === true;
  }

  pricingUrl(): string | undefined {
    const v = this.user<unknown>('pricing.url');
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  }

  pricingOverrides(): unknown {
    return this.user<unknown>('pricing.overrides');
  }

  showTodaySpend(): boolean {
    return this.c.get<boolean>('statusBar.showTodaySpend') ?? false;
  }

  incidentsEnabled(): boolean {
    return this.user<unknown>('incidents.enabled') !== false;
  }

  incidentStatusPages(): Record<string, unknown> {
    const v = this.user<unknown>('incidents.statusPages');
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  }

  adaptivePolling(): boolean {
    return this.user<unknown>('polling.adaptive') !== false;
  }

  discoveryEnabled(): boolean {
    return this.user<unknown>('discovery.enabled') !== false;
  }

  requestTimeoutMs(): number {
    const v = this.user<unknown>('requestTimeoutSeconds');
    const s = typeof v === 'number' && Number.isFinite(v) ? v : 20;
    return Math.max(3, Math.min(120, s)) * 1000;
  }

  /** Team export (#23): every one of these decides what leaves the machine or where it goes, hence user-only. */
  exportSettings(): ExportSettings & { enabled: boolean } {
    const str = (k: UserOnlySetting): string => {
      const v = this.user<unknown>(k);
      return typeof v === 'string' ? v.trim() : '';
    };
    const interval = this.user<unknown>('export.intervalSeconds');
    const attrs = this.user<unknown>('export.resourceAttributes');
    const protocol = str('export.protocol');
    return {
      enabled: this.user<unknown>('export.enabled') === true,
      target: str('export.target') === 'pushgateway' ? 'pushgateway' : 'otlp',
      endpoint: str('export.endpoint'),
      ...(protocol ? { protocol } : {}),
      ...(typeof interval === 'number' && Number.isFinite(interval) && interval > 0 ? { intervalSeconds: interval } : {}),
      team: str('export.team'),
      userId: str('export.userId'),
      hashUserId: this.user<unknown>('export.hashUserId') !== false,
      resourceAttributes: attrs && typeof attrs === 'object' && !Array.isArray(attrs) ? (attrs as Record<string, unknown>) : {},
      includeProjectNames: this.user<unknown>('export.includeProjectNames') === true,
    };
  }

  static affects(e: vscode.ConfigurationChangeEvent, section?: string): boolean {
    return e.affectsConfiguration(section ? `tokstat.${section}` : 'tokstat');
  }
}

/** `https://ghe.example.com/`, `octo.ghe.com` or `https://ghe.example.com/some/path` → the bare host ('' when none). */
function hostOf(v: unknown): string {
  if (typeof v !== 'string') return '';
  return v.trim().replace(/^https?:\/\//i, '').replace(/[/?#].*$/, '');
}

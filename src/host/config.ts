import * as vscode from 'vscode';
import type { Thresholds } from '../core/format';

/** Typed access to tokstat's settings. */
export class Config {
  private get c(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('tokstat');
  }

  endpoints(): Record<string, unknown> {
    const v = this.c.get<unknown>('endpoints');
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  }

  pollIntervalSeconds(providerId: string): number | undefined {
    const v = this.c.get<Record<string, unknown>>('pollIntervals')?.[providerId];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  }

  oauthClientId(): string {
    return (this.c.get<string>('github.oauthClientId') ?? '').trim();
  }

  enterpriseHost(): string {
    return (this.c.get<string>('github.enterpriseHost') ?? '').trim().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  }

  statusBarEnabled(): boolean {
    return this.c.get<boolean>('statusBar.enabled') ?? true;
  }

  statusBarPinned(): string {
    return this.c.get<string>('statusBar.pinned') ?? '';
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
    return this.c.get<unknown>('history.retention');
  }

  localUsageEnabled(): boolean {
    return this.c.get<boolean>('localUsage.enabled') ?? true;
  }

  localUsageDirs(kind: 'claudeConfigDirs' | 'codexHomes' | 'geminiDirs' | 'opencodeDirs'): string[] {
    const v = this.c.get<unknown>(`localUsage.${kind}`);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  }

  pricingOffline(): boolean {
    return this.c.get<boolean>('pricing.offline') ?? false;
  }

  pricingUrl(): string | undefined {
    const v = (this.c.get<string>('pricing.url') ?? '').trim();
    return v || undefined;
  }

  pricingOverrides(): unknown {
    return this.c.get<unknown>('pricing.overrides');
  }

  showTodaySpend(): boolean {
    return this.c.get<boolean>('statusBar.showTodaySpend') ?? false;
  }

  discoveryEnabled(): boolean {
    return this.c.get<boolean>('discovery.enabled') ?? true;
  }

  requestTimeoutMs(): number {
    const s = this.c.get<number>('requestTimeoutSeconds') ?? 20;
    return Math.max(3, Math.min(120, s)) * 1000;
  }

  static affects(e: vscode.ConfigurationChangeEvent, section?: string): boolean {
    return e.affectsConfiguration(section ? `tokstat.${section}` : 'tokstat');
  }
}

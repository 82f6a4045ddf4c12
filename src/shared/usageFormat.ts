// Number formats of the local-agent usage views, shared by the host (tree, status bar) and the dashboard webview:
// plain functions with no Node or DOM imports, so both bundles can use them.
import { formatFixed } from './numberFormat';

/** "$3.21", "$0.0042", "unpriced" (every request lacked a price), "$0.00" (nothing used). */
export function formatUsd(costUSD: number | undefined): string {
  if (costUSD === undefined || !Number.isFinite(costUSD)) return 'unpriced';
  const abs = Math.abs(costUSD);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  return `$${formatFixed(costUSD, 2, digits)}`;
}

/** "950", "12.3k", "1.2M", "3.4B". */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n)) return 'unknown';
  const abs = Math.abs(n);
  const fmt = (v: number, s: string) => `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10}${s}`;
  if (abs < 1000) return String(Math.round(n));
  if (abs < 999_500) return fmt(n / 1e3, 'k');
  if (abs < 999_500_000) return fmt(n / 1e6, 'M');
  return fmt(n / 1e9, 'B');
}

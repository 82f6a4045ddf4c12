// Number formats of the local-agent usage views, shared by the host (tree, status bar) and the dashboard webview:
// plain functions with no Node or DOM imports, so both bundles can use them.
import { formatFixed, localizeDecimal } from './numberFormat';
import { currentLocale, l10n } from './l10n';

/** "$3.21", "$0.0042", "unpriced" (every request lacked a price), "$0.00" (nothing used). */
export function formatUsd(costUSD: number | undefined): string {
  if (costUSD === undefined || !Number.isFinite(costUSD)) return l10n.t('unpriced');
  const abs = Math.abs(costUSD);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  return `$${formatFixed(costUSD, 2, digits)}`;
}

/** "950", "12.3k", "1.2M", "3.4B". */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n)) return l10n.t('unknown');
  const abs = Math.abs(n);
  const fmt = (v: number, s: string) => `${localizeDecimal(String(v >= 100 ? Math.round(v) : Math.round(v * 10) / 10))}${s}`;
  const lang = currentLocale().toLowerCase().split('-')[0];
  if (lang === 'zh' || lang === 'ja') {
    // Myriads: 1.2万, 3.4亿 (億).
    if (abs < 10_000) return String(Math.round(n));
    if (abs < 99_995_000) return fmt(n / 1e4, '万');
    return fmt(n / 1e8, lang === 'zh' ? '亿' : '億');
  }
  if (abs < 1000) return String(Math.round(n));
  if (abs < 999_500) return fmt(n / 1e3, 'k');
  if (abs < 999_500_000) return fmt(n / 1e6, 'M');
  return fmt(n / 1e9, 'B');
}

import * as vscode from 'vscode';
import { validateBaseUrl } from '../core/endpoints';
import type { Account } from '../shared/model';
import type { AccountField, ProviderDefinition } from '../core/providers/types';

/** Asks for a provider's extra per-account settings (base URL, region, team id, budget, …). Undefined = cancelled. */
export async function askAccountFields(
  provider: ProviderDefinition,
  fields: readonly AccountField[],
  current: Account['settings'] = {},
): Promise<Record<string, string | number> | undefined> {
  const out: Record<string, string | number> = {};
  for (const f of fields) {
    const title = `tokstat: ${provider.displayName} — ${f.label}`;
    if (f.kind === 'choice') {
      const items = (f.choices ?? []).map((c) => ({ label: c.label, description: c.description, value: c.value }));
      const picked = await vscode.window.showQuickPick(items, { title, placeHolder: f.prompt, ignoreFocusOut: true });
      if (!picked) return undefined;
      out[f.key] = picked.value;
      continue;
    }
    const value = await vscode.window.showInputBox({
      title,
      prompt: f.required ? f.prompt : vscode.l10n.t('{0} (optional: leave empty to skip)', f.prompt),
      placeHolder: f.placeholder,
      value: current[f.key] !== undefined ? String(current[f.key]) : (f.defaultValue ?? ''),
      ignoreFocusOut: true,
      validateInput: (v) => validateField(f, v),
    });
    if (value === undefined) return undefined;
    const v = value.trim();
    if (v === '') continue;
    out[f.key] = f.kind === 'number' ? Number(v) : f.kind === 'url' ? validateBaseUrl(v, f.label) : v;
  }
  return out;
}

export function validateField(f: AccountField, raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return f.required ? vscode.l10n.t('{0} is required.', f.label) : undefined;
  if (f.kind === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return vscode.l10n.t('Enter a number of 0 or more.');
  }
  if (f.kind === 'url') {
    try {
      validateBaseUrl(v, f.label);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  return f.validate?.(v);
}

// The providers' own short texts in the Add Account picker (their `description` and `authLabel`, declared in English
// in src/core/providers), in the user's language when this table knows them; anything else shows as declared.
import * as vscode from 'vscode';

export function providerText(text: string): string {
  switch (text) {
    case 'admin key':
      return vscode.l10n.t('admin key');
    case 'management key':
      return vscode.l10n.t('management key');
    case 'needs Claude Code signed in':
      return vscode.l10n.t('needs Claude Code signed in');
    case 'needs Codex CLI signed in with ChatGPT':
      return vscode.l10n.t('needs Codex CLI signed in with ChatGPT');
    case 'needs Gemini CLI signed in with Google':
      return vscode.l10n.t('needs Gemini CLI signed in with Google');
    case '5-hour and weekly Codex limits and credits of a ChatGPT plan, read with the Codex CLI’s sign-in (undocumented endpoint)':
      return vscode.l10n.t('5-hour and weekly Codex limits and credits of a ChatGPT plan, read with the Codex CLI’s sign-in (undocumented endpoint)');
    case '5-hour and weekly limits of a Claude Pro/Max/Team plan, read with Claude Code’s sign-in (undocumented endpoint)':
      return vscode.l10n.t('5-hour and weekly limits of a Claude Pro/Max/Team plan, read with Claude Code’s sign-in (undocumented endpoint)');
    case 'Account balance (paid and gifted), CNY on .cn':
      return vscode.l10n.t('Account balance (paid and gifted), CNY on .cn');
    case 'Account balance per currency (granted and topped-up)':
      return vscode.l10n.t('Account balance per currency (granted and topped-up)');
    case 'Any /v1 endpoint: model availability, and rate limits with the optional probe':
      return vscode.l10n.t('Any /v1 endpoint: model availability, and rate limits with the optional probe');
    case 'Coding Plan prompts left in the 5-hour window and this week (undocumented endpoint)':
      return vscode.l10n.t('Coding Plan prompts left in the 5-hour window and this week (undocumented endpoint)');
    case 'GLM Coding Plan 5-hour token window and monthly tool calls (undocumented endpoint)':
      return vscode.l10n.t('GLM Coding Plan 5-hour token window and monthly tool calls (undocumented endpoint)');
    case 'Key spend and limit; account balance with a management key':
      return vscode.l10n.t('Key spend and limit; account balance with a management key');
    case 'Key, user and team spend against their budgets on your LiteLLM proxy':
      return vscode.l10n.t('Key, user and team spend against their budgets on your LiteLLM proxy');
    case 'Kimi API account balance (voucher and cash), USD on .ai or CNY on .cn':
      return vscode.l10n.t('Kimi API account balance (voucher and cash), USD on .ai or CNY on .cn');
    case 'Organization tokens and spend this month (Admin API key)':
      return vscode.l10n.t('Organization tokens and spend this month (Admin API key)');
    case 'Organization tokens, requests and spend this month (Admin key)':
      return vscode.l10n.t('Organization tokens, requests and spend this month (Admin key)');
    case 'Per-model daily quotas of Gemini Code Assist, read with the Gemini CLI’s Google sign-in (undocumented endpoint)':
      return vscode.l10n.t('Per-model daily quotas of Gemini Code Assist, read with the Gemini CLI’s Google sign-in (undocumented endpoint)');
    case 'Premium requests, Free-plan chat and completions, AI credits (undocumented Copilot endpoint)':
      return vscode.l10n.t('Premium requests, Free-plan chat and completions, AI credits (undocumented Copilot endpoint)');
    case 'Prepaid balance and spend today (Management API: management key and team id)':
      return vscode.l10n.t('Prepaid balance and spend today (Management API: management key and team id)');
    case 'Team spend this billing cycle (team admins only: an Admin API key from the team settings)':
      return vscode.l10n.t('Team spend this billing cycle (team admins only: an Admin API key from the team settings)');
    default:
      return text;
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { newAccountId, uniqueName } from '../core/accounts';
import { testConnection } from '../core/fetcher';
import type { Account } from '../shared/model';
import { getProvider, PROVIDERS } from '../core/providers/registry';
import { UNSUPPORTED, type UnsupportedProvider } from '../core/providers/unsupported';
import type { PickerGroup, ProviderDefinition, SignInKind } from '../core/providers/types';
import type { CommandDeps } from './deps';
import { errorText } from './deps';
import { deviceSignIn } from './deviceSignIn';
import { promptForKey, promptForName } from './keyEntry';
import { askAccountFields } from './accountFields';
import { systemCredentialEnv } from '../host/credentialEnv';
import { SIGN_IN_HOST, SIGN_IN_HOST_LABEL } from '../host/credentials';
import { currentHost } from '../host/hostIdentity';
import { CommandIds } from './ids';
import { accountHome, credentialKey, findDuplicate, homeKind, homeSettings, nodeHomesFs } from '../core/homes';
import { displayPath } from '../core/providers/credentialFiles';
import { alreadyAdded, pickHome } from './homePicker';
import { providerText } from './providerTexts';

const title = () => vscode.l10n.t('tokstat: Add Account');

function draft(provider: ProviderDefinition, authKind: string, settings: Account['settings'] = {}): Account {
  return { id: newAccountId(), providerId: provider.id, name: provider.displayName, createdAt: Date.now(), authKind, settings };
}

async function save(deps: CommandDeps, account: Account, secret: string | undefined, suggested: string | undefined): Promise<void> {
  const providerName = getProvider(account.providerId)?.displayName ?? account.providerId;
  const name = await promptForName(deps, vscode.l10n.t('tokstat: Account name ({0})', providerName), uniqueName(suggested || account.name, deps.repo.list()));
  if (name === undefined) return;
  const final = { ...account, name };
  await deps.repo.add(final, secret);
  deps.log.info(`[accounts] added "${final.name}" (${final.providerId}, ${final.authKind})`);
  // The scheduler picks the new account up from the repository and fetches it right away.
  void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: added "{0}".', final.name), vscode.l10n.t('Open Dashboard')).then((c) => {
    if (c) deps.openDashboard();
  });
}

export async function addApiKeyAccount(deps: CommandDeps, provider: ProviderDefinition): Promise<void> {
  const fields = provider.accountFields ?? [];
  const before = await askAccountFields(provider, fields.filter((f) => f.beforeKey));
  if (!before) return;
  const account = draft(provider, 'api-key', before);
  const r = await promptForKey(deps, provider, account, vscode.l10n.t('tokstat: {0} API key', provider.displayName));
  if (!r) return;
  const after = await askAccountFields(provider, fields.filter((f) => !f.beforeKey));
  if (!after) return;
  await save(deps, { ...account, settings: { ...account.settings, ...(r.info.settings ?? {}), ...after } }, r.key, r.info.suggestedName);
}

/**
 * An account backed by another tool's sign-in (Claude Code, Codex CLI, Gemini CLI): tokstat reads the tool's
 * credential file now to check it, and again before every poll; it never copies, writes or refreshes it.
 */
export async function addCredentialFileAccount(deps: CommandDeps, provider: ProviderDefinition, preset?: Account['settings']): Promise<void> {
  const source = provider.credentialFile;
  if (!source) return;
  const env = systemCredentialEnv();
  let settings: Account['settings'] = { ...(preset ?? {}) };
  // Claude Code, Codex CLI and Gemini CLI: which of their homes (one sign-in each) this account reads.
  const kind = preset ? undefined : homeKind(provider.id);
  if (kind) {
    const home = await pickHome(deps, kind, source, env);
    if (!home) return;
    const dup = await findDuplicate(deps.repo.list(), kind, { home }, env);
    if (dup) return alreadyAdded(deps, source, dup, displayPath(home, env));
    settings = { ...settings, ...homeSettings(kind, home, env) };
  }
  let read: Awaited<ReturnType<typeof source.read>> | undefined;
  for (;;) {
    try {
      read = await source.read(env, { settings });
      break;
    } catch (err) {
      const choose = vscode.l10n.t('Choose Folder…');
      const where = source.candidates(env, { settings }).slice(0, 2).join(vscode.l10n.t(' or '));
      const choice = await vscode.window.showWarningMessage(
        `tokstat: ${errorText(err)}`,
        { modal: true, detail: vscode.l10n.t('tokstat looked in {0}. Sign in with {1} ({2}), or choose the folder that holds its credentials.', where, source.tool, source.signInHint) },
        choose,
      );
      if (choice !== choose) return;
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: vscode.l10n.t('{0} configuration folder', source.tool) });
      if (!picked?.[0]) return;
      if (!kind) {
        settings = { ...settings, configDir: picked[0].fsPath };
        continue;
      }
      const dup = await findDuplicate(deps.repo.list(), kind, { home: picked[0].fsPath }, env);
      if (dup) return alreadyAdded(deps, source, dup, displayPath(picked[0].fsPath, env));
      settings = { ...settings, ...homeSettings(kind, picked[0].fsPath, env) };
    }
  }
  // The tool's files live on this host: a window on another host says so instead of "sign in again".
  const host = currentHost();
  const account = draft(provider, 'credential-file', { ...settings, ...(read.settings ?? {}), [SIGN_IN_HOST]: host.id, [SIGN_IN_HOST_LABEL]: host.label });
  const ac = new AbortController();
  let info: Awaited<ReturnType<typeof testConnection>>;
  try {
    info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('tokstat: checking {0}…', provider.displayName), cancellable: true },
      async (_p, ct) => {
        ct.onCancellationRequested(() => ac.abort());
        return testConnection(deps.fetcherDeps, account, read!.credential, ac.signal);
      },
    );
  } catch (err) {
    if (!ac.signal.aborted) void vscode.window.showErrorMessage(`tokstat: ${errorText(err)}`);
    return;
  }
  const learned: Account['settings'] = { ...account.settings, ...(info.settings ?? {}) };
  if (kind) {
    // The same sign-in under another folder (a copy, a link): refused by the account id the vendor returned.
    const home = accountHome(kind, account, env);
    const key = credentialKey(provider.id, info.accountKey, await nodeHomesFs.realpath(path.join(home, kind.credentialFile)));
    const dup = await findDuplicate(deps.repo.list(), kind, { key }, env);
    if (dup) return alreadyAdded(deps, source, dup, displayPath(home, env));
    learned.credentialKey = key;
  }
  await save(deps, { ...account, settings: learned }, undefined, info.suggestedName ?? read.suggestedName);
}

async function checkGitHubToken(deps: CommandDeps, account: Account, token: string): Promise<{ suggestedName?: string } | undefined> {
  const ac = new AbortController();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('tokstat: checking Copilot access…'), cancellable: true },
      async (_p, ct) => {
        ct.onCancellationRequested(() => ac.abort());
        return testConnection(deps.fetcherDeps, account, token, ac.signal);
      },
    );
  } catch (err) {
    if (!ac.signal.aborted) void vscode.window.showErrorMessage(`tokstat: ${errorText(err)}`);
    return undefined;
  }
}

export async function addCopilotAccount(deps: CommandDeps, provider: ProviderDefinition): Promise<void> {
  const host = deps.config.enterpriseHost() || undefined;
  const authProviderId = deps.github.providerId(host);
  let signedIn: readonly { id: string; label: string }[] = [];
  try {
    signedIn = await deps.github.getAccounts(authProviderId);
  } catch (err) {
    deps.log.warn(`[github] could not list VS Code's GitHub accounts: ${errorText(err)}`);
  }
  // The routes that work without an OAuth app of tokstat's own, first; the device flow last, with what it needs.
  const useSession = vscode.l10n.t("Use VS Code's GitHub sign-in");
  const useGh = vscode.l10n.t('Use the GitHub CLI sign-in (gh)');
  const useToken = vscode.l10n.t('Use a fine-grained personal access token');
  const useDevice = vscode.l10n.t('Sign in with a device code (your own OAuth app)');
  const choice = await vscode.window.showQuickPick(
    [
      {
        label: useSession,
        description: signedIn.length ? signedIn.map((a) => a.label).join(vscode.l10n.t(', ')) : vscode.l10n.t('signs in through VS Code'),
        detail: vscode.l10n.t("Recommended: the GitHub sign-in VS Code already manages. Shows the plan's quota; it cannot read GitHub's billing report."),
      },
      {
        label: useGh,
        description: vscode.l10n.t("gh's hosts.yml, or `gh auth token` when gh keeps the token in the system keyring"),
        detail: vscode.l10n.t('For the account `gh auth login` signed in; tokstat asks gh before each poll and never copies the token.'),
      },
      {
        label: useToken,
        description: vscode.l10n.t('for where the credits went'),
        detail: vscode.l10n.t('GitHub\'s billing report by model and by day: a fine-grained token with the user permission "Plan" (read); for an organisation, "Administration" (read).'),
      },
      {
        label: useDevice,
        description: deps.config.oauthClientId() ? undefined : vscode.l10n.t('needs tokstat.github.oauthClientId'),
        detail: vscode.l10n.t("Needs the client id of your own GitHub OAuth app (not a GitHub App) with device flow enabled; Copilot's quota endpoint may refuse tokens of apps it does not accept."),
      },
    ],
    { title: vscode.l10n.t('{0}: GitHub Copilot', title()), placeHolder: vscode.l10n.t('How do you want to sign in?'), ignoreFocusOut: true },
  );
  if (!choice) return;
  const baseSettings: Account['settings'] = host ? { enterpriseHost: host } : {};
  if (choice.label === useToken) {
    await addCopilotTokenAccount(deps, provider);
    return;
  }
  if (choice.label === useGh) {
    await addCredentialFileAccount(deps, provider, baseSettings);
    return;
  }
  if (choice.label === useDevice) {
    const token = await deviceSignIn(deps, host);
    if (!token) return;
    const account = draft(provider, 'github-device', baseSettings);
    const info = await checkGitHubToken(deps, account, token);
    if (!info) return;
    await save(deps, account, token, info.suggestedName);
    return;
  }
  let target: { id: string; label: string } | undefined;
  if (signedIn.length > 0) {
    const other = `$(add) ${vscode.l10n.t('Sign in to another GitHub account…')}`;
    const picked = await vscode.window.showQuickPick(
      [...signedIn.map((a) => ({ label: a.label, account: a })), { label: other, account: undefined }],
      { title: vscode.l10n.t('{0}: GitHub account', title()), placeHolder: vscode.l10n.t('Choose the GitHub account'), ignoreFocusOut: true },
    );
    if (!picked) return;
    target = picked.account;
  }
  let session: { token: string; account: { id: string; label: string } } | undefined;
  try {
    session = await deps.github.signIn(authProviderId, target);
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: GitHub sign-in failed: {0}', errorText(err)));
    return;
  }
  if (!session) return;
  const existing = deps.repo.list().find((a) => a.authKind === 'github-session' && a.settings.githubAccountId === session!.account.id);
  if (existing) {
    void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: the GitHub account {0} is already added as "{1}".', session.account.label, existing.name));
    return;
  }
  const account = draft(provider, 'github-session', {
    ...baseSettings,
    authProviderId,
    githubAccountId: session.account.id,
    githubAccountLabel: session.account.label,
  });
  const info = await checkGitHubToken(deps, account, session.token);
  if (!info) return;
  await save(deps, account, undefined, info.suggestedName ?? session.account.label);
}

/**
 * A Copilot account read with a personal access token: GitHub's billing report (by model, by day, allowance and
 * overage) of the user, an organisation or an enterprise. The token is checked against the report before it is kept.
 */
export async function addCopilotTokenAccount(deps: CommandDeps, provider: ProviderDefinition): Promise<void> {
  const host = deps.config.enterpriseHost() || undefined;
  const mine = vscode.l10n.t('My own Copilot plan');
  const org = vscode.l10n.t("An organisation's Copilot seats");
  const ent = vscode.l10n.t("An enterprise's Copilot seats");
  const whose = await vscode.window.showQuickPick(
    [
      { label: mine, detail: vscode.l10n.t('Fine-grained token, user permission "Plan" (read). Seats paid by an organisation are not in this report.') },
      { label: org, detail: vscode.l10n.t('An owner\'s or billing manager\'s fine-grained token with the organisation permission "Administration" (read).') },
      { label: ent, detail: vscode.l10n.t("An enterprise owner's or billing manager's classic token (fine-grained tokens cannot read enterprise billing).") },
    ],
    { title: vscode.l10n.t('{0}: whose billing report?', title()), ignoreFocusOut: true },
  );
  if (!whose) return;
  const settings: Account['settings'] = host ? { enterpriseHost: host } : {};
  if (whose.label !== mine) {
    const key = whose.label === org ? 'billingOrganization' : 'billingEnterprise';
    const name = await vscode.window.showInputBox({
      title: whose.label === org ? vscode.l10n.t('{0}: organisation', title()) : vscode.l10n.t('{0}: enterprise', title()),
      prompt: whose.label === org ? vscode.l10n.t('The organisation login, as in github.com/<org>') : vscode.l10n.t('The enterprise slug, as in github.com/enterprises/<slug>'),
      ignoreFocusOut: true,
      validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(v.trim()) ? undefined : vscode.l10n.t('Letters, digits, "-", "_" and "." only.')),
    });
    if (!name) return;
    settings[key] = name.trim();
  }
  const account = draft(provider, 'api-key', settings);
  const r = await promptForKey(deps, provider, account, vscode.l10n.t('{0}: GitHub personal access token', title()));
  if (!r) return;
  await save(deps, { ...account, settings: { ...account.settings, ...(r.info.settings ?? {}) } }, r.key, r.info.suggestedName);
}

/** The picker's sections, in order (a provider declares its own: `pickerGroup`). */
const GROUPS: Readonly<Record<PickerGroup, string>> = {
  get plan() {
    return vscode.l10n.t('Plans and subscriptions');
  },
  get 'api-key'() {
    return vscode.l10n.t('API keys and balances');
  },
  get admin() {
    return vscode.l10n.t('Organization usage (admin keys)');
  },
  get gateway() {
    return vscode.l10n.t('Gateways and endpoints');
  },
};

/** One Add Account flow per sign-in kind (a provider declares its own: `signIn`). */
const FLOWS: Readonly<Record<SignInKind, (deps: CommandDeps, provider: ProviderDefinition) => Promise<void>>> = {
  'api-key': addApiKeyAccount,
  'credential-file': (deps, provider) => addCredentialFileAccount(deps, provider),
  github: addCopilotAccount,
};

function authDescription(p: ProviderDefinition): string {
  if (p.authLabel) return providerText(p.authLabel);
  switch (p.signIn) {
    case 'github':
      return vscode.l10n.t('GitHub sign-in');
    case 'credential-file':
      return p.credentialFile ? vscode.l10n.t("uses {0}'s sign-in", p.credentialFile.tool) : vscode.l10n.t("uses the tool's sign-in");
    case 'api-key':
      return vscode.l10n.t('API key');
  }
}

const whyMissing = () => `$(info) ${vscode.l10n.t('My provider is not listed…')}`;

type PickerItem = vscode.QuickPickItem & { provider?: ProviderDefinition; unsupported?: UnsupportedProvider };

/** The Add Account picker, built from the providers' and the unsupported providers' declarations. */
export function providerPickerItems(providers: readonly ProviderDefinition[] = PROVIDERS, unsupported: readonly UnsupportedProvider[] = UNSUPPORTED): PickerItem[] {
  const items: PickerItem[] = [];
  for (const [group, label] of Object.entries(GROUPS) as [PickerGroup, string][]) {
    const ps = providers.filter((p) => p.pickerGroup === group);
    if (ps.length === 0) continue;
    items.push({ label, kind: vscode.QuickPickItemKind.Separator });
    for (const p of ps) items.push({ label: p.displayName, description: authDescription(p), detail: providerText(p.description), provider: p });
  }
  items.push({ label: vscode.l10n.t('No usage API'), kind: vscode.QuickPickItemKind.Separator });
  for (const u of unsupported) {
    if (u.picker) items.push({ label: `$(circle-slash) ${u.name}`, description: vscode.l10n.t('no usage API'), detail: u.picker.detail, unsupported: u });
  }
  items.push({ label: whyMissing(), detail: vscode.l10n.t('Providers without a usage API, and what to use instead') });
  return items;
}

async function pickProvider(): Promise<ProviderDefinition | undefined> {
  const picked = await vscode.window.showQuickPick(providerPickerItems(), { title: title(), placeHolder: vscode.l10n.t('Which AI account do you want to track?'), matchOnDetail: true, ignoreFocusOut: true });
  if (!picked) return undefined;
  const hint = picked.unsupported?.picker;
  if (hint) {
    const instead = hint.instead && getProvider(hint.instead.providerId);
    const use = hint.instead?.action;
    const choice = await vscode.window.showInformationMessage(hint.message, { modal: true, detail: hint.explanation }, ...(instead && use ? [use] : []));
    return choice !== undefined && choice === use ? instead : undefined;
  }
  if (picked.label === whyMissing()) {
    const lines = UNSUPPORTED.map((u) => vscode.l10n.t('{0}: {1} Instead: {2}', u.name, u.reason, u.nearest));
    void vscode.window.showInformationMessage(vscode.l10n.t('tokstat: these providers offer no usage or balance API that tokstat could read'), { modal: true, detail: lines.join('\n\n') });
    return undefined;
  }
  return picked.provider;
}

export function registerAddAccount(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(CommandIds.addAccount, async (providerId?: unknown, route?: unknown) => {
    let provider = typeof providerId === 'string' ? getProvider(providerId) : undefined;
    if (!provider) {
      provider = await pickProvider();
      if (!provider) return;
    }
    try {
      // The Copilot 'cannot read it' state asks straight for a token account (its billing report needs one).
      if (provider.signIn === 'github' && route === 'token') await addCopilotTokenAccount(deps, provider);
      else await FLOWS[provider.signIn](deps, provider);
    } catch (err) {
      deps.log.error(`[accounts] add account failed: ${errorText(err)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('tokstat: could not add the account: {0}', errorText(err)));
    }
  });
}

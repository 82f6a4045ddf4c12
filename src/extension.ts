// Composition root: builds the pieces in order (logger, settings, stores, auth, scheduler, model, UI, commands)
// and registers every disposable where it is created. No network call happens during activate(): the scheduler
// starts polling after activation returns.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AccountRepository } from './core/accountRepository';
import { AppModel } from './core/appModel';
import { systemClock } from './core/clock';
import { createFetcher, type FetcherDeps } from './core/fetcher';
import type { UndiciHttpClient } from './core/undiciClient';
import type { ProxyRouter } from './core/net/dispatcher';
import { loadNet } from './features/chunks';
import type { HttpClient } from './core/http';
import type { Account } from './shared/model';
import { pollFloorMs, pollIntervalMs } from './core/scheduler/pollInterval';
import { AdaptivePolling } from './core/scheduler/adaptive';
import { ConditionalCache } from './core/conditional';
import { PollScheduler } from './core/scheduler/scheduler';
import { FileLease } from './core/state/lease';
import { CrossHostLease, SharedSnapshotStore } from './core/state/hostSpan';
import { HostAffinity } from './core/state/hostAffinity';
import { currentHost } from './host/hostIdentity';
import { FileSnapshotStore } from './core/state/snapshotStore';
import { registerCommands } from './commands';
import { refreshCliLauncher, registerCliPathCommands } from './commands/cliPath';
import { registerWalkthrough } from './commands/walkthrough';
import { registerDeleteLocalData } from './commands/deleteLocalData';
import { deleteLocalDataIfRequested } from './core/localData';
import { addCredentialFileAccount } from './commands/addAccount';
import { FoundSignIns, scheduleDiscovery } from './features/discovery/feature';
import type { CommandDeps, PollControl } from './commands/deps';
import { Config } from './host/config';
import { credentialResolver, signInHostOf } from './host/credentials';
import { vscodeGitHubAuth, type GitHubAuth } from './host/githubAuth';
import { systemCredentialEnv } from './host/credentialEnv';
import { createLogger } from './host/logger';
import { installL10n, webviewL10n } from './host/l10n';
import { affectsNetSettings, readNetSettings } from './host/netSettings';
import { keyValueStoreFrom, secretStoreFrom } from './host/secrets';
import { DashboardPanel, registerDashboardSerializer, type DashboardDeps } from './ui/dashboard/panel';
import { buildDashboardState } from './ui/dashboard/state';
import { StatusBarController } from './ui/statusBar/statusBar';
import { AccountsTreeProvider } from './ui/tree/accountsTree';
import { createTestingApi, type TestingApi } from './testing';
import { createApi, type TokstatApi as ExtensionApi } from './features/api/api';
import { InsightsFeature } from './features/insights/feature';
import { registerUsageTool } from './features/lmTool/tool';
import { registerChatParticipant } from './features/chat/participant';
import { registerMcpServer } from './features/mcp/provider';
import type { AnswerAccount } from './core/agentAnswers';
import { UsageFeature } from './features/usage/feature';
import { AccountsMirror } from './core/state/accountsMirror';
import { ApiUsageLog } from './core/usage/ingestStore';
import { UsageViewModel } from './core/usage/viewModel';
import { CommandIds } from './commands/ids';
import { createSpend } from './features/spend/feature';
import { IncidentsFeature } from './features/incidents/feature';
import { AGENT_LABEL } from './shared/agents';
import { monthSpendLine } from './ui/statusBar/statusBar';
import { ExportFeature } from './features/export/feature';
import { registerExportCommands } from './commands/exportCommands';

export interface TokstatApi extends ExtensionApi {
  /** The extension's major version of this object (apiVersion says which methods it has). */
  readonly version: 1;
  /** Present only when the extension host runs with TOKSTAT_TEST_HOOKS=1 (the test suites). */
  readonly testing?: TestingApi;
}

export async function activate(context: vscode.ExtensionContext): Promise<TokstatApi> {
  const started = Date.now();
  // First: everything below may build user-facing text with the shared formats.
  context.subscriptions.push(installL10n());
  const { channel, log } = createLogger(context);
  const config = new Config(log);
  const intervalOf = (a: Pick<Account, 'providerId'>): number => pollIntervalMs(a.providerId, config.pollIntervalSeconds(a.providerId));

  // globalState follows the user's profile to every window, local and remote: what spans hosts goes there.
  const shared = keyValueStoreFrom(context.globalState);
  const host = currentHost();
  const repo = new AccountRepository(shared, secretStoreFrom(context.secrets), log);
  context.subscriptions.push(repo);

  const vscodeGitHub = vscodeGitHubAuth();
  context.subscriptions.push(vscodeGitHub);
  // Indirection so the extension-host suite can stand in for VS Code's GitHub sign-in (it cannot sign in offline).
  let githubImpl: GitHubAuth = vscodeGitHub;
  const github: GitHubAuth = {
    providerId: (h) => githubImpl.providerId(h),
    getAccounts: (p) => githubImpl.getAccounts(p),
    signIn: (p, a) => githubImpl.signIn(p, a),
    getToken: (p, id, label) => githubImpl.getToken(p, id, label),
    onDidChangeSessions: vscodeGitHub.onDidChangeSessions,
  };

  // undici loads with the first request, not at activation (no network on the activation path either way). Every
  // request of the extension (providers, price list, GitHub device sign-in) goes through this one client, whose
  // router follows VS Code's http.proxy / http.noProxy / http.proxyStrictSSL / http.proxySupport /
  // http.systemCertificates (user settings only), then HTTPS_PROXY / NO_PROXY / NODE_EXTRA_CA_CERTS.
  let undiciClient: UndiciHttpClient | undefined;
  let router: ProxyRouter | undefined;
  const client = (): UndiciHttpClient => {
    if (!undiciClient) {
      const net = loadNet();
      router = new net.ProxyRouter(readNetSettings(), process.env, log);
      undiciClient = new net.UndiciHttpClient(log, systemClock, router);
    }
    return undiciClient;
  };
  const http: HttpClient = { request: (r) => client().request(r) };
  context.subscriptions.push({ dispose: () => void undiciClient?.close().catch(() => undefined) });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!router || !affectsNetSettings(e)) return;
      log.info('[net] VS Code\'s network settings changed; later requests use them');
      router.update(readNetSettings());
    }),
  );
  const fetcherDeps: FetcherDeps = {
    getAccount: (id) => repo.get(id),
    credentials: credentialResolver(repo, github, systemCredentialEnv, () => host),
    endpoints: () => config.endpoints(),
    http,
    clock: systemClock,
    log,
    requestTimeoutMs: () => config.requestTimeoutMs(),
    // An unchanged answer (ETag / Last-Modified → 304) costs the provider nothing and us no parsing of a new body.
    conditional: new ConditionalCache(),
  };

  const storage = context.globalStorageUri.fsPath;
  // "Delete Local Data" asked for it before the last reload: empty the folder before any store opens it.
  try {
    const removed = deleteLocalDataIfRequested(storage);
    if (removed) log.info(`[local data] deleted as asked: ${removed.join(', ') || 'nothing was there'}`);
  } catch (err) {
    log.error(`[local data] could not delete: ${err instanceof Error ? err.message : String(err)}`);
  }
  // One poll per account across every window of the user, on every host: the host's own files (one window per host
  // competes) under a lease and snapshot mirror in globalState (core/state/hostSpan.ts).
  const homes = (): Map<string, string> => new Map(repo.list().flatMap((a) => { const home = signInHostOf(a); return home ? [[a.id, home] as const] : []; }));
  const store = new SharedSnapshotStore({ local: new FileSnapshotStore({ folder: path.join(storage, 'snapshots'), log }), kv: shared, log, homes });
  context.subscriptions.push(store);
  // The account names for the CLI (`tokstat quota`, `guard`, `mcp`), which reads the snapshots but not globalState.
  const accountsMirror = new AccountsMirror({ storage, list: () => repo.list(), onDidChange: repo.onDidChange, log });
  context.subscriptions.push(accountsMirror);
  // An account whose credential file lives on one host is polled by that host's window (core/state/hostAffinity.ts).
  const affinity = new HostAffinity({ kv: shared, hostId: host.id, log });
  const lease = new CrossHostLease({
    inner: new FileLease({ dir: path.join(storage, 'leader.lock'), log, ownerLabel: `window pid ${process.pid}` }),
    kv: shared,
    // The lease's "host" is this storage folder (windows that share the file lease), not only the machine: VS Code
    // and code-server on one machine keep separate folders under one profile.
    hostId: `${host.id}#${createHash('sha256').update(storage).digest('hex').slice(0, 8)}`,
    log,
    presence: affinity,
  });
  // Adaptive refresh: an agent at work makes its accounts poll at the provider's floor; an idle hour, slower.
  const adaptive = new AdaptivePolling({ clock: systemClock, enabled: () => config.adaptivePolling() });
  context.subscriptions.push(adaptive);
  const scheduler = new PollScheduler({
    clock: systemClock,
    log,
    fetch: createFetcher(fetcherDeps),
    intervalMs: (id) => {
      const a = repo.get(id);
      return a ? adaptive.intervalMs(a.providerId, intervalOf(a), pollFloorMs(a.providerId)) : 600_000;
    },
    timeoutMs: 60_000,
    store,
    lease,
    route: (id) => affinity.route(signInHostOf(repo.get(id))),
  });
  context.subscriptions.push(scheduler);
  context.subscriptions.push(affinity.onDidChange(() => scheduler.reschedule()));
  context.subscriptions.push(adaptive.onDidChange(() => scheduler.reschedule()));

  // Provider incidents: the leader reads the public status pages of the providers with accounts (every 5 minutes),
  // the other windows read what it wrote (loaded from its own chunk when incidents are on and there are accounts).
  const incidents = new IncidentsFeature({
    folder: path.join(storage, 'incidents'),
    clock: systemClock, log, http, isLeader: () => scheduler.isLeader(), onDidChangeRole: (l) => scheduler.onDidChangeRole(l),
    enabled: () => config.incidentsEnabled(), providers: () => repo.list().map((a) => a.providerId), overrides: () => config.incidentStatusPages(),
  });
  context.subscriptions.push(incidents);

  // History, pace and notifications (loaded after activation from their own chunk).
  const insights = new InsightsFeature({
    storage,
    log,
    repo,
    scheduler,
    retention: () => config.historyRetention(),
    openDashboardCommand: 'tokstat.openDashboard',
    showLogCommand: 'tokstat.showLog',
    sharedState: shared,
  });
  context.subscriptions.push(insights);

  const model = new AppModel(repo, scheduler, intervalOf, insights, incidents);
  context.subscriptions.push(model);

  // Local agent usage and the records other extensions send through the API.
  const apiLog = new ApiUsageLog({ folder: path.join(storage, 'usage-api'), log });
  context.subscriptions.push({ dispose: () => void apiLog.close().catch(() => undefined) });
  const usage = new UsageFeature({
    storage,
    extensionPath: context.extensionPath,
    log,
    http,
    apiLog,
    isLeader: () => scheduler.isLeader(),
    settings: {
      enabled: () => config.localUsageEnabled(),
      claudeConfigDirs: () => config.localUsageDirs('claudeConfigDirs'),
      codexHomes: () => config.localUsageDirs('codexHomes'),
      geminiDirs: () => config.localUsageDirs('geminiDirs'),
      opencodeDirs: () => config.localUsageDirs('opencodeDirs'),
      copilotHomes: () => config.localUsageDirs('copilotHomes'),
      pricingOffline: () => config.pricingOffline(),
      pricingUrl: () => config.pricingUrl(),
      pricingOverrides: () => config.pricingOverrides(),
    },
  });
  context.subscriptions.push(usage);
  context.subscriptions.push(usage.onDidSeeActivity((a) => adaptive.noteActivity(a.agent, a.at)));
  // The "Local agents" projection shared by the tree, the status bar and the dashboard.
  const usageView = new UsageViewModel({
    source: usage.viewSource,
    clock: systemClock,
    workspaceFolders: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    foundAgents: () => usage.foundAgents((p) => fs.existsSync(p)),
  });
  context.subscriptions.push(usageView);
  context.subscriptions.push(vscode.workspace.onDidChangeWorkspaceFolders(() => usageView.invalidate()));

  // Spend across providers: vendors' daily costs, money meters' history and the agents' API-equivalent cost (loaded
  // from its own chunk when first needed).
  const { spend, disposable: spendWiring } = createSpend({
    storage,
    log,
    entries: () => model.entries(),
    accounts: () => repo.list(),
    onDidChangeSnapshot: (l) => scheduler.onDidChange(l),
    isLeader: () => scheduler.isLeader(),
    history: (id, meterId, from, to) => insights.points(id, meterId, from, to, 20_000),
    agentRows: () => usage.viewSource.index.rows(),
    agentLabels: AGENT_LABEL,
    logFiles: () => usage.logFiles(),
    credentialEnv: systemCredentialEnv,
    onDidChange: [(l) => model.onDidChange(l), (l) => usageView.onDidChange(l)],
    now: () => Date.now(),
  });
  context.subscriptions.push(spendWiring);
  context.subscriptions.push(
    registerUsageTool({
      accounts: () => model.entries().map((e) => ({ name: e.account.name, providerName: e.providerName, ...(e.snapshot ? { snapshot: e.snapshot } : {}), ...(e.pace ? { pace: e.pace } : {}) })),
      localUsage: async () => usage.totals(),
      now: () => Date.now(),
      log,
    }),
  );

  const poll: PollControl = {
    refresh: async (id) => {
      const r = await scheduler.refresh(id);
      if (r.outcome === 'elsewhere') return { accountId: id, elsewhere: true };
      return r.outcome === 'rate-limited' && r.rateLimitedUntil ? { accountId: id, until: r.rateLimitedUntil } : undefined;
    },
    refreshAll: async () => {
      const results = await scheduler.refreshAll();
      const held = results.flatMap((r) => (r.outcome === 'rate-limited' && r.rateLimitedUntil ? [{ accountId: r.accountId, until: r.rateLimitedUntil }] : []));
      if (held.length) log.info(`[scheduler] ${held.length} account(s) skipped: still rate limited`);
      return held;
    },
    forget: async (id) => {
      scheduler.setAccounts(repo.list().map((a) => a.id));
      await store.delete(id);
      await insights.forgetAccount(id);
      await spend.forget(id);
    },
  };

  // UI: status bar, tree, dashboard — all fed by the one model.
  const statusBar = new StatusBarController(model, {
    enabled: () => config.statusBarEnabled(),
    pinned: () => config.statusBarPinned(),
    show: () => config.statusBarShow(),
    thresholds: () => config.thresholds(),
    showTodaySpend: () => config.showTodaySpend(),
    pins: () => config.statusBarPins(),
    combine: () => config.statusBarCombine(),
    monthSpend: () => monthSpendLine(spend.monthToDate()),
  }, usageView);
  context.subscriptions.push(statusBar);
  context.subscriptions.push(spend.onDidChange(() => statusBar.schedule()));

  const discoveryDeps = {
    state: context.globalState,
    repo,
    log,
    env: systemCredentialEnv,
    enabled: () => config.discoveryEnabled() && process.env.TOKSTAT_NO_DISCOVERY !== '1',
    isLeader: () => scheduler.isLeader(),
    add: (provider: Parameters<typeof addCredentialFileAccount>[1]) => addCredentialFileAccount(commandDeps, provider),
  };
  const found = new FoundSignIns(discoveryDeps);
  context.subscriptions.push(found);
  // Team export (off by default): the leader window sends this machine's figures to the team's collector or
  // Pushgateway; the OpenTelemetry SDK loads with the first export, not here.
  const exporter = new ExportFeature({
    storage,
    log,
    http,
    secrets: secretStoreFrom(context.secrets),
    env: process.env,
    version: String((context.extension.packageJSON as { version?: unknown }).version ?? 'dev'),
    isLeader: () => scheduler.isLeader(),
    settings: () => config.exportSettings(),
    source: () => ({
      accounts: model.entries().map((e) => ({ id: e.account.id, providerId: e.account.providerId, ...(e.snapshot ? { snapshot: e.snapshot } : {}) })),
      usageRows: usage.viewSource.index.rows(),
    }),
  });
  context.subscriptions.push(exporter);
  context.subscriptions.push(...registerExportCommands({ feature: exporter, log }));
  const tree = new AccountsTreeProvider(model, () => config.thresholds(), usageView, found, systemClock, exporter, () => config.statusBarPins());
  context.subscriptions.push(tree);
  const treeView = vscode.window.createTreeView('tokstat.accounts', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(treeView);
  tree.attachView(treeView);

  const dashboardChanged = new vscode.EventEmitter<void>();
  context.subscriptions.push(dashboardChanged);
  context.subscriptions.push(model.onDidChange(() => dashboardChanged.fire()));
  context.subscriptions.push(usageView.onDidChange(() => dashboardChanged.fire()));
  const dashboardState = () => ({ ...buildDashboardState(model, config.thresholds(), Date.now(), config.statusBarPins()), usage: usageView.view(), l10n: webviewL10n() });
  const dashboardDeps: DashboardDeps = {
    extensionUri: context.extensionUri,
    log,
    getState: dashboardState,
    onDidChangeState: dashboardChanged.event,
    onRefresh: (id) => vscode.commands.executeCommand(id ? 'tokstat.refreshAccount' : 'tokstat.refreshAll', id),
    onSignIn: (id) => vscode.commands.executeCommand('tokstat.signIn', id),
    onAddAccount: (providerId, route) => vscode.commands.executeCommand('tokstat.addAccount', providerId, route),
    onOpenSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:tokstat.tokstat'),
    onShowLog: () => channel.show(true),
    getHistory: async (accountId, meterId, range, width) => {
      const meter = model.entry(accountId)?.snapshot?.meters.find((m) => m.id === meterId);
      return meter ? insights.series(accountId, meter, range, width) : null;
    },
    getSpend: (range) => spend.view(range),
    onExportSpend: (range) => vscode.commands.executeCommand(CommandIds.exportSpend, range),
    onPin: (accountId, meterId, pinned) => vscode.commands.executeCommand(pinned ? CommandIds.pinToStatusBar : CommandIds.unpinStatusBar, { accountId, meterId }),
  };
  context.subscriptions.push(registerDashboardSerializer(context, dashboardDeps));

  const commandDeps: CommandDeps = {
    repo,
    model,
    poll,
    config,
    log,
    channel,
    github,
    fetcherDeps,
    // The sign-in's OAuth calls go through the extension's client too (same proxy and certificates).
    deviceFlow: (opts) => loadNet().startDeviceFlow({ http, ...opts }),
    insights,
    openDashboard: () => {
      DashboardPanel.createOrShow(dashboardDeps);
    },
    spend,
    openSpend: () => {
      DashboardPanel.createOrShow(dashboardDeps).reveal('spend');
    },
  };
  context.subscriptions.push(...registerCommands(commandDeps));
  const cliDeps = { extensionPath: context.extensionPath, log };
  context.subscriptions.push(...registerCliPathCommands(cliDeps));
  context.subscriptions.push(registerWalkthrough());
  context.subscriptions.push(registerDeleteLocalData({ storage, repo, log, shared }));

  // Keep context keys, the schedule and the UI in step with the accounts and settings.
  const syncAccounts = () => {
    const ids = repo.list().map((a) => a.id);
    scheduler.setAccounts(ids);
    incidents.sync();
    void vscode.commands.executeCommand('setContext', 'tokstat.hasAccounts', ids.length > 0);
  };
  context.subscriptions.push(repo.onDidChange(syncAccounts));
  context.subscriptions.push(
    repo.onDidChangeCredentials((id) => {
      fetcherDeps.conditional?.forget(id);
      scheduler.credentialsChanged(id);
    }),
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Config.affects(e, 'pollIntervals')) scheduler.reschedule();
      if (Config.affects(e, 'polling.adaptive')) adaptive.refresh();
      if (Config.affects(e, 'incidents')) incidents.sync();
      if (Config.affects(e, 'pricing')) usage.onSettingsChanged();
      if (Config.affects(e, 'history.retention')) insights.retentionChanged();
      if (Config.affects(e, 'export')) void exporter.apply();
      if (Config.affects(e, 'localUsage')) {
        usageView.invalidate();
        // Turned off: stop reading the agents' logs at once (not at the next start); turned on: start; other folders:
        // read those.
        const failed = (what: string) => (err: unknown) => log.error(`[usage] could not apply ${what}: ${err instanceof Error ? err.message : String(err)}`);
        if (Config.affects(e, 'localUsage.enabled')) usage.applyEnabled().catch(failed('tokstat.localUsage.enabled'));
        else if (['claudeConfigDirs', 'codexHomes', 'geminiDirs', 'opencodeDirs', 'copilotHomes'].some((k) => Config.affects(e, `localUsage.${k}`))) {
          usage.applyFolders().catch(failed('the agents\' folders'));
        }
      }
      if (Config.affects(e)) {
        statusBar.render();
        tree.refresh();
        dashboardChanged.fire();
      }
    }),
  );
  context.subscriptions.push(
    github.onDidChangeSessions(() => {
      // A GitHub account signed in or out of VS Code: its accounts may recover from (or fall into) auth-required.
      for (const a of repo.list()) if (a.authKind === 'github-session') scheduler.credentialsChanged(a.id);
    }),
  );

  context.subscriptions.push(vscode.commands.registerCommand(CommandIds.addFoundSignIns, () => found.addFound()));
  context.subscriptions.push(scheduleDiscovery(discoveryDeps, found, 5_000));

  // Slow work after activate() returns: reading secret storage and snapshot files, then the first polls.
  const ready = repo
    .load()
    .then(() => {
      syncAccounts();
      void accountsMirror.write();
      void vscode.commands.executeCommand('setContext', 'tokstat.ready', true);
      log.info(`[activate] ${repo.list().length} account(s) loaded`);
      refreshCliLauncher(cliDeps);
      insights.start().catch((err: unknown) => log.error(`[history] could not start: ${err instanceof Error ? err.message : String(err)}`));
      usage.start().catch((err: unknown) => log.error(`[usage] could not start: ${err instanceof Error ? err.message : String(err)}`));
      void exporter.apply();
    })
    .catch((err: unknown) => {
      log.error(`[activate] could not load accounts: ${err instanceof Error ? err.message : String(err)}`);
      void vscode.commands.executeCommand('setContext', 'tokstat.ready', true);
    });

  log.info(`[activate] tokstat activated in ${Date.now() - started} ms`);
  // Agents and other extensions: the read API, `@tokstat` in chat and `tokstat mcp` for VS Code's agents, all answering
  // from the same model through src/core/agentAnswers.ts.
  const answerAccounts = (): AnswerAccount[] =>
    model.entries().map((e) => ({
      accountId: e.account.id, name: e.account.name, providerId: e.account.providerId, providerName: e.providerName,
      ...(e.snapshot ? { snapshot: e.snapshot } : {}), ...(e.pace ? { pace: e.pace } : {}),
    }));
  const usageRows = () => usage.scanner?.index.rows();
  const api: TokstatApi = {
    version: 1,
    ...createApi(
      apiLog,
      {
        accounts: answerAccounts,
        usageRows,
        onDidChange: (listener) => {
          const subs = [model.onDidChange(() => listener()), usageView.onDidChange(() => listener())];
          return { dispose: () => subs.forEach((d) => d.dispose()) };
        },
        now: () => Date.now(),
      },
      context.subscriptions,
    ),
  };
  const chatParticipant = registerChatParticipant(
    { data: () => ({ now: Date.now(), accounts: answerAccounts(), ...(usageRows() ? { usageRows: usageRows()! } : {}) }), log },
    vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png'),
  );
  if (chatParticipant) context.subscriptions.push(chatParticipant);
  const mcp = registerMcpServer({ target: { execPath: process.execPath, cliPath: path.join(context.extensionPath, 'dist', 'cli.js') }, storage, version: String(context.extension.packageJSON.version ?? ''), log });
  context.subscriptions.push(mcp.disposable);
  if (process.env.TOKSTAT_TEST_HOOKS === '1') {
    (api as { testing?: TestingApi }).testing = createTestingApi({
      ready,
      repo,
      scheduler,
      model,
      tree,
      statusBar,
      store,
      globalState: context.globalState,
      setGitHubAuth: (impl) => {
        githubImpl = impl ?? vscodeGitHub;
      },
      dashboardState,
      ...(chatParticipant ? { chatParticipant } : {}),
      mcp,
    });
  }
  return api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

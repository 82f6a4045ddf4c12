// Host side of the dashboard webview: one panel at a time, a ready handshake before any state is posted, every
// inbound message validated with the shared zod schema, and state pushes debounced so bursts of snapshot updates
// (one per account after "Refresh all") reach the webview as one message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  webviewToHostSchema,
  type ChartSeries,
  type DashboardState,
  type HistoryRange,
  type HostToWebview,
  type SpendRange,
  type SpendView,
  type WebviewToHost,
} from '../../shared/protocol';
import { cssFontUrls, makeNonce, renderDashboardHtml } from './html';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock';
import { currentLocale } from '../../shared/l10n';

export const DASHBOARD_VIEW_TYPE = 'tokstat.dashboard';
const TITLE = 'tokstat';
const UPDATE_DEBOUNCE_MS = 50;

/**
 * Everything the dashboard needs from the rest of the extension. The panel never reaches into the store, the
 * scheduler or the auth code itself; the composition root (extension.ts) passes these in.
 */
export interface DashboardDeps {
  extensionUri: vscode.Uri;
  log: { info(message: string): void; warn(message: string): void };
  /** The full current state (accounts with their latest snapshots, thresholds, host clock). Called on every push. */
  getState(): DashboardState;
  /** Fires whenever anything in `getState()` may have changed; the panel re-reads and pushes (debounced). */
  onDidChangeState: vscode.Event<void>;
  /** "Refresh all" (no id), a card's refresh button or an error card's "Retry" (with the account id). */
  onRefresh(accountId?: string): unknown;
  /** "Sign in again" on an `auth-required` card. */
  onSignIn(accountId: string): unknown;
  onAddAccount(providerId?: string, route?: 'token'): unknown;
  onOpenSettings(): unknown;
  onShowLog(): unknown;
  /**
   * One meter's history for a chart, downsampled to about `width` points (CSS pixels of the chart), or `null` when
   * there is none yet. A rejection is logged and answered as `null` (the chart shows "No history yet").
   * Optional until the history store is wired: without it every chart shows "No history yet".
   */
  getHistory?(accountId: string, meterId: string, range: HistoryRange, width: number): Promise<ChartSeries | null>;
  /** The Spend view of a range; a rejection is logged and answered as `null` ("could not be computed"). */
  getSpend?(range: SpendRange): Promise<SpendView>;
  /** "Export CSV" in the Spend view. */
  onExportSpend?(range: SpendRange): unknown;
  /** A meter's Pin / Unpin button. */
  onPin?(accountId: string, meterId: string, pinned: boolean): unknown;
  /** The push debounce's timers and the `clock` answer's time (tests pass a fake clock); default: the system clock. */
  clock?: Clock;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;

  /** Opens the dashboard, or reveals it if it is already open. */
  static createOrShow(deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, TITLE, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    return new DashboardPanel(panel, deps);
  }

  /** Adopts a panel VS Code restored after a window reload (see `registerDashboardSerializer`). */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDeps): DashboardPanel {
    DashboardPanel.current?.dispose();
    return new DashboardPanel(panel, deps);
  }

  /** The open panel, if any (for tests and for commands that want to know). */
  static get instance(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private readonly disposables: vscode.Disposable[] = [];
  /** True between the webview's `ready` and its teardown; nothing is posted before. */
  private ready = false;
  /** What the next push sends; a thunk so that a burst of change events costs one `getState()`. */
  private pending: (() => DashboardState) | undefined;
  private timer: TimerHandle | undefined;
  private disposed = false;
  /**
   * Bumped on every `ready`: the page was (re)loaded and restarted its request ids, so a history answer computed for
   * the previous page must not be posted to the new one under an id it now uses for something else.
   */
  private generation = 0;
  /** The page's html embeds the state the panel opened with (replaced by one without it when the panel is hidden). */
  private htmlHasState = false;
  /**
   * Nothing changed since the state embedded in the page's html was built, and no `ready` was answered since: a page
   * that drew that state needs only the clock. False after the first `ready`, since a page reloaded from the same html
   * (Developer: Reload Webviews) draws that state again, however old it is by then.
   */
  private embeddedFresh = false;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: DashboardDeps,
  ) {
    DashboardPanel.current = this;
    const webview = panel.webview;
    panel.iconPath = {
      light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'dashboard-light.svg'),
      dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'dashboard-dark.svg'),
    };
    // Set again here: a revived panel comes back with the options it had, which may predate this version.
    webview.options = webviewOptions(deps.extensionUri);
    // The first page carries the state it opens with, so its first frame already shows the cards.
    webview.html = this.html(webview, true);
    this.htmlHasState = true;
    this.embeddedFresh = true;

    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      // retainContextWhenHidden is false: a hidden panel's page is torn down and sends `ready` again when shown.
      // The page it is rebuilt from when shown again must not carry the state it was opened with: that state would be
      // drawn, stale, until `ready` is answered; the page shows "Loading…" for that moment instead.
      panel.onDidChangeViewState(() => {
        if (panel.visible) return;
        this.ready = false;
        this.embeddedFresh = false;
        if (this.htmlHasState) {
          this.htmlHasState = false;
          webview.html = this.html(webview, false);
        }
      }),
      deps.onDidChangeState(() => this.schedule(() => deps.getState())),
      { dispose: () => this.clearTimer() },
    );
    deps.log.info('dashboard: panel opened');
  }

  /** Queues `state` for the webview; pushes within ~50 ms, coalescing bursts into the latest state. */
  update(state: DashboardState): void {
    this.schedule(() => state);
  }

  private schedule(next: () => DashboardState): void {
    if (this.disposed) return;
    this.embeddedFresh = false;
    this.pending = next;
    if (!this.ready || this.timer !== undefined) return;
    this.timer = (this.deps.clock ?? systemClock).setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, UPDATE_DEBOUNCE_MS);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    // Disposing the panel fires onDidDispose, which re-enters dispose(); the `disposed` flag stops the loop.
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) {
      try {
        d.dispose();
      } catch (err) {
        this.deps.log.warn(`dashboard: dispose failed: ${errorText(err)}`);
      }
    }
    this.deps.log.info('dashboard: panel closed');
  }

  private flush(): void {
    if (this.disposed || !this.ready || !this.pending) return;
    const next = this.pending;
    this.pending = undefined;
    let message: HostToWebview;
    try {
      message = { type: 'state', state: next() };
    } catch (err) {
      this.deps.log.warn(`dashboard: building the state failed: ${errorText(err)}`);
      return;
    }
    this.post(message, 'state');
  }

  private post(message: HostToWebview, what: string): void {
    this.panel.webview.postMessage(message).then(
      (delivered) => {
        if (!delivered) this.deps.log.warn(`dashboard: ${what} not delivered (webview hidden or gone)`);
      },
      (err: unknown) => this.deps.log.warn(`dashboard: postMessage failed: ${errorText(err)}`),
    );
  }

  private onMessage(raw: unknown): void {
    const parsed = webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      // Never echo the payload: it is untrusted and may be large.
      this.deps.log.warn(`dashboard: dropped an invalid message (${parsed.error.issues.length} issue(s))`);
      return;
    }
    const msg: WebviewToHost = parsed.data;
    if (msg.type === 'ready') {
      this.generation++;
      this.ready = true;
      this.clearTimer();
      const fresh = this.embeddedFresh && msg.embedded === true;
      this.embeddedFresh = false;
      if (fresh) {
        // The page already shows this state: rebuilding its cards would cost a render for nothing.
        this.pending = undefined;
        this.post({ type: 'clock', now: (this.deps.clock ?? systemClock).now() }, 'clock');
        this.focusOnReady?.();
        this.focusOnReady = undefined;
        return;
      }
      this.pending = () => this.deps.getState();
      this.flush();
      this.focusOnReady?.();
      this.focusOnReady = undefined;
      return;
    }
    if (msg.type === 'requestHistory') {
      // Not logged per request: a dashboard asks for one series per meter on every open.
      void this.answerHistory(msg);
      return;
    }
    if (msg.type === 'requestSpend') {
      void this.answerSpend(msg);
      return;
    }
    this.deps.log.info(`dashboard: ${msg.type}${'accountId' in msg && msg.accountId ? ` ${msg.accountId}` : ''}`);
    this.run(msg.type, () => {
      switch (msg.type) {
        case 'refresh':
          return this.deps.onRefresh(msg.accountId);
        case 'signIn':
          return this.deps.onSignIn(msg.accountId);
        case 'addAccount':
          return this.deps.onAddAccount(msg.providerId, msg.route);
        case 'openSettings':
          return this.deps.onOpenSettings();
        case 'showLog':
          return this.deps.onShowLog();
        case 'exportSpend':
          return this.deps.onExportSpend?.(msg.range);
        case 'pin':
          return this.deps.onPin?.(msg.accountId, msg.meterId, msg.pinned);
      }
    });
  }

  /** Reveals the panel; with a section (the Spend view), asks the page to scroll to it once it is ready. */
  reveal(section?: 'spend'): void {
    this.panel.reveal();
    if (!section) return;
    const send = () => this.post({ type: 'focus', section }, 'focus');
    if (this.ready) send();
    else this.focusOnReady = send;
  }

  private focusOnReady: (() => void) | undefined;

  private async answerSpend(msg: Extract<WebviewToHost, { type: 'requestSpend' }>): Promise<void> {
    const generation = this.generation;
    let view: SpendView | null = null;
    try {
      view = (await this.deps.getSpend?.(msg.range)) ?? null;
    } catch (err) {
      this.deps.log.warn(`dashboard: spend (${msg.range}) failed: ${errorText(err)}`);
    }
    if (this.disposed || !this.ready || generation !== this.generation) return;
    this.post({ type: 'spend', requestId: msg.requestId, view }, 'spend');
  }

  private async answerHistory(msg: Extract<WebviewToHost, { type: 'requestHistory' }>): Promise<void> {
    const generation = this.generation;
    let series: ChartSeries | null = null;
    try {
      series = (await this.deps.getHistory?.(msg.accountId, msg.meterId, msg.range, msg.width)) ?? null;
    } catch (err) {
      this.deps.log.warn(`dashboard: history for ${msg.accountId}/${msg.meterId} (${msg.range}) failed: ${errorText(err)}`);
    }
    if (this.disposed || !this.ready || generation !== this.generation) return; // the page that asked is gone
    const message: HostToWebview = { type: 'history', requestId: msg.requestId, series };
    try {
      const delivered = await this.panel.webview.postMessage(message);
      if (!delivered) this.deps.log.warn('dashboard: history not delivered (webview hidden or gone)');
    } catch (err) {
      this.deps.log.warn(`dashboard: postMessage failed: ${errorText(err)}`);
    }
  }

  /** Runs a callback so that neither a throw nor a rejected promise escapes unlogged. */
  private run(what: string, fn: () => unknown): void {
    try {
      const result = fn();
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, (err: unknown) => this.deps.log.warn(`dashboard: ${what} failed: ${errorText(err)}`));
      }
    } catch (err) {
      this.deps.log.warn(`dashboard: ${what} failed: ${errorText(err)}`);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      (this.deps.clock ?? systemClock).clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private html(webview: vscode.Webview, withState: boolean): string {
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, ...p)).toString();
    const codiconUri = asset('dist', 'webview', 'codicon.css');
    let initialState: DashboardState | undefined;
    if (withState) {
      try {
        initialState = this.deps.getState();
      } catch (err) {
        // The page then waits for `ready` to be answered, which reports its own failure.
        this.deps.log.warn(`dashboard: initial state failed: ${errorText(err)}`);
      }
    }
    return renderDashboardHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview', 'dashboard.js'),
      codiconUri,
      preloadFonts: codiconFontPreloads(this.deps.extensionUri, codiconUri),
      ...(initialState ? { initialState } : {}),
      // dist/webview/dashboard.css is uPlot's stylesheet, emitted by esbuild from the webview's CSS import; the
      // extension's own stylesheet comes after it so it can override.
      styleUris: [asset('dist', 'webview', 'dashboard.css'), asset('media', 'dashboard.css')],
      title: TITLE,
      lang: currentLocale(),
    });
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * Restores the dashboard after a window reload. Needs `onWebviewPanel:tokstat.dashboard` in package.json's
 * activationEvents so the extension is activated in time to revive it.
 */
export function registerDashboardSerializer(context: Pick<vscode.ExtensionContext, 'subscriptions'>, deps: DashboardDeps): vscode.Disposable {
  const registration = vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    // The webview's own getState() (scroll position) survives the reload on the webview side; nothing to read here.
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      DashboardPanel.revive(panel, deps);
    },
  });
  context.subscriptions.push(registration);
  return registration;
}

let codiconFontRefs: { dir: string; refs: readonly string[] } | undefined;
/**
 * The absolute URLs of the fonts dist/webview/codicon.css names (read once per install folder); none when they cannot
 * be known (a non-file extension location, a broken install): the font then loads without a preload.
 */
function codiconFontPreloads(extensionUri: vscode.Uri, codiconUri: string): string[] {
  try {
    if (extensionUri.scheme !== 'file') return [];
    const dir = path.join(extensionUri.fsPath, 'dist', 'webview');
    if (codiconFontRefs?.dir !== dir) codiconFontRefs = { dir, refs: cssFontUrls(fs.readFileSync(path.join(dir, 'codicon.css'), 'utf8')) };
    // Resolved against the stylesheet's own URL, as the browser resolves its url(...)s.
    return codiconFontRefs.refs.map((ref) => new URL(ref, codiconUri).toString());
  } catch {
    return [];
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

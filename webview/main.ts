// The dashboard app. Handshake: post `ready`, then render every `state` message the host sends (a `clock` message
// only re-bases the countdowns of the state already shown).
// Updates are keyed per account: a card whose data did not change keeps its DOM node (and focus, and scroll), a
// changed card is rebuilt and swapped in place. Countdowns tick every 30 s from `state.now` + elapsed time.
// Cards far below the viewport are built when the page is idle, after the first frame (see `cardsWithin`).
// First, so the benchmark's start mark precedes every other module's start-up code.
import './startMark';
// Before any zod schema is built (the CSP forbids eval).
import './zodJitless';
import type { DashboardAccount, DashboardPersistedState, DashboardState } from '../src/shared/protocol';
import { ChartManager } from './chart/manager';
import { h } from './dom';
import { estimatedCardHeight, renderCard, renderEmpty, renderPendingCard, renderToolbar, tickText, type TickKind } from './render';
import { UsageSectionController } from './usage';
import { SpendSectionController } from './spend';
import { renderOverview } from './overview';
import { parseClockMessage, parseFocusMessage, parseHistoryMessage, parseHostMessage, parseSpendMessage } from '../src/shared/protocolSchemas';
import { loadPersisted, post, savePersisted } from './vscodeApi';
import { loadSibling } from './lazyScript';
import { loadUPlot } from './uplotLoader';
import { whenIdle } from './idle';
import { scrollIntoViewSettled } from './scrollSettle';
import { wireCountdownTitles } from './countdownTitles';
import { readInitialState } from './initialState';
import { swapPreservingFocus } from './dom';
import { wireActions } from './actions';
import { applyL10n } from './l10n';
import { l10n } from '../src/shared/l10n';

const TICK_MS = 30_000;

interface CardEntry {
  signature: string;
  el: HTMLElement;
  /** A placeholder (renderPendingCard), built into the real card when the page is idle. */
  pending?: boolean;
}

/** Below the viewport, cards this far down are built with the first render all the same (as the charts' margin). */
const EAGER_MARGIN_PX = 400;
/** The grid's narrowest column and its gap (dashboard.css `.cards`). */
const CARD_MIN_WIDTH_PX = 340;
const CARD_GAP_PX = 12;
/** The overview strip's line height, at least (dashboard.css `.overview-row`). */
const OVERVIEW_ROW_MIN_PX = 22;

// The state the host embedded in the page (html.ts), read first: its language applies to everything built below.
const initial = readInitialState();
applyL10n(initial?.l10n);

const persisted = loadPersisted();
const root = document.getElementById('app') ?? document.body.appendChild(h('div', { attrs: { id: 'app' } }));
root.replaceChildren();
const toolbar = renderToolbar();
const main = h('main', { class: 'content' });
const list = h('section', { class: 'cards', attrs: { 'aria-label': l10n.t('Accounts') } });
// Before the first frame the browser has not yet decided which `content-visibility: auto` cards are near the viewport
// and treats them all as skipped: each card a chart measures in the first render would be laid out on its own. The
// first render's cards estimated to be in the viewport (`card--first`, dashboard.css) are laid out in one pass
// instead; after the first frame they are ordinary cards again, skipped when far from view.
let firstFrameDone = false;
requestAnimationFrame(() =>
  setTimeout(() => {
    firstFrameDone = true;
    for (const el of list.querySelectorAll('.card--first')) el.classList.remove('card--first');
    loadElements();
  }, 0),
);

/**
 * The @vscode-elements components (dist/webview/elements.js, next to this script; webview/elements.ts), loaded after
 * the first frame so the first paint never waits for them. The script element carries this script's nonce, which is
 * what the CSP's `script-src 'nonce-…'` allows: no change to the policy (lazyScript.ts). uPlot (uplot.js) too, if no
 * chart has asked for it yet.
 */
function loadElements(): void {
  void loadUPlot().catch((err: unknown) => console.warn(`[tokstat] ${String(err)}`));
  if (customElements.get('vscode-button')) return;
  loadSibling('elements.js', { tokstatElements: '' }).catch(() => undefined);
}
const empty = renderEmpty();
const booting = h('p', { class: 'booting', attrs: { role: 'status' }, text: l10n.t('Loading…') });
main.append(booting, list);
root.append(toolbar, main);

/** The overview strip above the cards (overview.ts), rebuilt with every state; absent without accounts. */
let overview: HTMLElement | undefined;
let current: DashboardState | undefined;
/** performance.now() when `current` arrived; with `current.now` gives the host-clock estimate. */
let receivedAt = 0;
let restoredScroll = false;
const cards = new Map<string, CardEntry>();
/** What the page keeps in the webview state (scroll position, chart ranges); each change saves the whole of it. */
let saved: DashboardPersistedState = persisted;
function persist(change: Partial<DashboardPersistedState>): void {
  saved = { ...saved, ...change };
  if (saved.ranges && Object.keys(saved.ranges).length === 0) delete saved.ranges;
  savePersisted(saved);
}
const charts = new ChartManager(post, { ...(persisted.ranges ? { ranges: persisted.ranges } : {}), save: (ranges) => persist({ ranges }) });
// "Local agents" goes after the account cards (and after the empty state when there are no accounts).
const usage = new UsageSectionController(main);
// "Spend" goes between the cards and "Local agents"; it asks the host for its figures when it is first shown.
const spend = new SpendSectionController(post, persisted.spend ?? { range: '30d' }, (p) => persist({ spend: p }));
let spendFocusWanted = false;

/** Shows the Spend section once there is anything it could show (an account, or the local agents' usage). */
function renderSpend(state: DashboardState): void {
  const wanted = state.accounts.length > 0 || state.usage?.visible === true;
  if (!wanted) {
    spend.el.remove();
    return;
  }
  if (!spend.el.isConnected) {
    list.after(spend.el);
    spend.request();
  } else {
    spend.stateChanged();
  }
  if (spendFocusWanted) {
    spendFocusWanted = false;
    spend.focus();
  }
}

function hostNow(): number {
  return current ? current.now + (performance.now() - receivedAt) : Date.now();
}

function render(state: DashboardState): void {
  applyL10n(state.l10n);
  booting.remove();
  current = state;
  receivedAt = performance.now();
  const now = state.now;

  renderOverviewStrip(state, now);
  if (state.accounts.length === 0) {
    charts.releaseAll();
    cards.clear();
    list.replaceChildren();
    if (!empty.isConnected) main.prepend(empty);
  } else {
    empty.remove();
    const seen = new Set<string>();
    const eager = cardsWithin(state.accounts, EAGER_MARGIN_PX);
    // (A scroll position still to be restored: the cards in view are not the top ones; each is laid out on its own.)
    const inView = firstFrameDone || (!restoredScroll && persisted.scrollY) ? 0 : cardsWithin(state.accounts, 0);
    let index = 0;
    let pending = false;
    for (const account of state.accounts) {
      if (seen.has(account.id)) continue; // a duplicate id would make the keyed update ambiguous
      seen.add(account.id);
      const signature = cardSignature(state, account);
      const prev = cards.get(account.id);
      let el: HTMLElement;
      if (prev && !prev.pending && prev.signature === signature) {
        el = prev.el;
      } else if (index >= eager && (!prev || prev.pending)) {
        // Not built yet and far from the viewport: a placeholder, built when the page is idle from the latest state.
        pending = true;
        if (prev && prev.el.dataset.accountName === account.name) {
          el = prev.el;
        } else {
          el = renderPendingCard(account);
          prev?.el.replaceWith(el);
        }
        cards.set(account.id, { signature, el, pending: true });
      } else {
        el = renderCard(account, state, now);
        if (index < inView) el.classList.add('card--first');
        if (prev) {
          charts.releaseWithin(prev.el);
          swapPreservingFocus(prev.el, el);
        }
        cards.set(account.id, { signature, el });
      }
      const at = list.children[index];
      if (at !== el) list.insertBefore(el, at ?? null);
      index++;
    }
    for (const [id, entry] of cards) {
      if (!seen.has(id)) {
        charts.releaseWithin(entry.el);
        entry.el.remove();
        cards.delete(id);
      }
    }
    if (pending) buildPendingWhenIdle();
  }
  usage.update(state.usage);
  renderSpend(state);
  tick();
  // Before the charts are mounted: they start with the ones near the viewport, so it must be in its final place.
  if (!restoredScroll) {
    restoredScroll = true;
    if (persisted.scrollY) window.scrollTo(0, persisted.scrollY);
  }
  // Last, after every DOM write: the charts measure their width and position (one layout for all of them).
  charts.mountWithin(list);
  titleCountdownsWhenIdle();
}

/** Replaces the overview strip; focus on one of its rows stays on that account's row. */
function renderOverviewStrip(state: DashboardState, now: number): void {
  const active = document.activeElement;
  const focusedId = active instanceof HTMLElement && overview?.contains(active) ? active.dataset.accountId : undefined;
  const next = state.accounts.length === 0 ? undefined : renderOverview(dedupe(state.accounts), state, now);
  if (overview && next) overview.replaceWith(next);
  else if (next) main.insertBefore(next, list);
  else overview?.remove();
  overview = next;
  if (focusedId !== undefined && next) {
    [...next.querySelectorAll<HTMLElement>('[data-action="jump"]')].find((b) => b.dataset.accountId === focusedId)?.focus({ preventScroll: true });
  }
}

function dedupe(accounts: readonly DashboardAccount[]): DashboardAccount[] {
  const seen = new Set<string>();
  return accounts.filter((a) => !seen.has(a.id) && seen.add(a.id));
}

/** A row of the overview strip was chosen: its card is scrolled into view and its refresh button focused. */
function jumpTo(accountId: string): void {
  // The cards down to this one are built first: a placeholder built later, above or in place of the card, would
  // change its height after the scroll and move the card away from the top.
  const built = buildPendingThrough(accountId);
  const el = cards.get(accountId)?.el;
  if (!el) return;
  scrollIntoViewSettled(el);
  el.querySelector<HTMLElement>('[data-action="refresh"]')?.focus({ preventScroll: true });
  if (document.activeElement === null || !el.contains(document.activeElement)) {
    el.tabIndex = -1;
    el.focus({ preventScroll: true });
  }
  if (built) {
    // After the scroll: the charts start with the ones near the viewport.
    charts.mountWithin(list);
    titleCountdownsWhenIdle();
  }
}

/** Builds the placeholders from the top down to `accountId`'s card; whether it built any. */
function buildPendingThrough(accountId: string): boolean {
  const state = current;
  if (!state) return false;
  const now = hostNow();
  let built = false;
  for (const account of state.accounts) {
    const entry = cards.get(account.id);
    if (entry?.pending) {
      buildPending(account, entry, state, now);
      built = true;
    }
    if (account.id === accountId) break;
  }
  return built;
}

/** What a card is drawn from: equal signatures, equal cards (the card is kept). */
function cardSignature(state: DashboardState, account: DashboardAccount): string {
  const pins = (state.pinned ?? []).filter((k) => k.startsWith(`${account.id}\u0000`)).join('|');
  return `${state.thresholds.warning}/${state.thresholds.error}${pins}${JSON.stringify(account)}`;
}

/**
 * How many cards, from the top, can be within `marginPx` below the viewport, estimated without a layout (the grid's
 * most columns, each row as short as its shortest card): with EAGER_MARGIN_PX, the cards a render builds, so a real
 * card, never a placeholder, is on screen in the first frame. A scroll position still to be restored builds them all.
 */
function cardsWithin(accounts: readonly DashboardAccount[], marginPx: number): number {
  if (!restoredScroll && persisted.scrollY) return accounts.length;
  const columns = Math.max(1, Math.floor((window.innerWidth + CARD_GAP_PX) / (CARD_MIN_WIDTH_PX + CARD_GAP_PX)));
  // Reading scrollY lays the page out; before the first render's scroll restore the page cannot have scrolled.
  const scrollTop = restoredScroll ? window.scrollY : 0;
  const bottom = scrollTop + window.innerHeight + marginPx;
  // The overview strip above the cards: at least one ~22 px line per account (a low estimate, so no card that is in
  // view is left a placeholder).
  let y = accounts.length * OVERVIEW_ROW_MIN_PX;
  for (let i = 0; i < accounts.length; i += columns) {
    if (y > bottom) return i;
    let row = Infinity;
    for (let j = i; j < Math.min(accounts.length, i + columns); j++) row = Math.min(row, estimatedCardHeight(accounts[j]!));
    y += row + CARD_GAP_PX;
  }
  return accounts.length;
}

/** Builds the placeholders into cards, a few per idle period (at the latest ~300 ms after they were drawn). */
const buildPendingWhenIdle = whenIdle((deadline) => {
  const state = current;
  if (!state) return;
  const now = hostNow();
  let built = 0;
  let left = false;
  for (const account of state.accounts) {
    const entry = cards.get(account.id);
    if (!entry?.pending) continue;
    if (built > 0 && (deadline ? deadline.timeRemaining() < 4 : built >= 4)) {
      left = true;
      break;
    }
    buildPending(account, entry, state, now);
    built++;
  }
  if (built > 0) {
    charts.mountWithin(list);
    titleCountdownsWhenIdle();
  }
  if (left) buildPendingWhenIdle();
}, 300);

/** A placeholder becomes its card; focus on the placeholder (a jump to it) moves to the card's refresh button. */
function buildPending(account: DashboardAccount, entry: CardEntry, state: DashboardState, now: number): void {
  const el = renderCard(account, state, now);
  swapPreservingFocus(entry.el, el);
  cards.set(account.id, { signature: cardSignature(state, account), el });
}

/** The host's clock, with nothing else new: the state shown stays, and its countdowns are counted from `now`. */
function onClock(now: number): void {
  if (!current) return; // only sent to a page that said it drew the embedded state
  current = { ...current, now };
  receivedAt = performance.now();
  tick();
}

wireActions(root, post, charts, jumpTo);

function tick(): void {
  const now = hostNow();
  for (const el of root.querySelectorAll<HTMLElement>('[data-tick]')) {
    const at = el.dataset.at === undefined ? undefined : Number(el.dataset.at);
    const text = tickText(el.dataset.tick as TickKind, at, now);
    if (el.textContent !== text) el.textContent = text;
  }
}

// Countdowns' tooltips: their absolute time (countdownTitles.ts).
const titleCountdownsWhenIdle = wireCountdownTitles(root);

let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener(
  'scroll',
  () => {
    if (scrollTimer !== undefined) clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => {
      scrollTimer = undefined;
      persist({ scrollY: Math.round(window.scrollY) });
    }, 150);
  },
  { passive: true },
);

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const history = parseHistoryMessage(ev.data);
  if (history) {
    charts.onHistory(history.requestId, history.series);
    return;
  }
  const spent = parseSpendMessage(ev.data);
  if (spent) {
    spend.onSpend(spent.requestId, spent.view);
    return;
  }
  if (parseFocusMessage(ev.data)) {
    if (spend.el.isConnected) spend.focus();
    else spendFocusWanted = true;
    return;
  }
  const clock = parseClockMessage(ev.data);
  if (clock !== undefined) {
    onClock(clock);
    return;
  }
  const parsed = parseHostMessage(ev.data);
  if (!parsed) {
    console.warn('[tokstat] ignored a malformed message from the host');
    return;
  }
  if (parsed.dropped > 0) console.warn(`[tokstat] dropped ${parsed.dropped} malformed account(s)`);
  render(parsed.state);
});

// VS Code swaps vscode-light / vscode-dark / vscode-high-contrast on <body> when the theme changes; canvas colours
// are read once per chart, so the charts are redrawn.
new MutationObserver(() => charts.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

setInterval(tick, TICK_MS);
// The state the host embedded in the page (html.ts, read at the top) is drawn at once, in this task, so the first frame already shows
// the cards; `ready` goes first so that the charts' history requests reach the host after it, for this page. The
// host answers `ready` with its current state, which replaces this one (cards that did not change are kept), or,
// when `embedded` is said and nothing changed since that state was built, with its clock alone.
post(initial ? { type: 'ready', embedded: true } : { type: 'ready' });
if (initial) render(initial);

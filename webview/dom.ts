// Tiny DOM builder: every string goes through textContent or setAttribute, never through innerHTML, because account
// names, plans and error messages come from users and servers.
type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  testid?: string;
  attrs?: Record<string, string | number | undefined>;
  data?: Record<string, string | number | undefined>;
  text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.setAttribute('data-testid', props.testid);
  const { attrs, data } = props;
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v !== undefined) el.setAttribute(k, String(v));
    }
  }
  if (data) {
    for (const k in data) {
      const v = data[k];
      if (v !== undefined) el.setAttribute(dataAttr(k), String(v));
    }
  }
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

/**
 * A @vscode-elements component (elements.ts): built like `h`, painted from its light DOM until the components are
 * defined after the first frame (main.ts), then upgraded in place.
 */
export function hv(tag: `vscode-${string}`, props: Props = {}, ...children: Child[]): HTMLElement {
  return h(tag as 'div', props, ...children);
}

const dataAttrs = new Map<string, string>();
/** `accountId` → `data-account-id`, as `el.dataset.accountId = …` would name it (memoized: the keys are few). */
function dataAttr(key: string): string {
  let name = dataAttrs.get(key);
  if (name === undefined) {
    name = `data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    dataAttrs.set(key, name);
  }
  return name;
}

const CODICON_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A decorative codicon; the name is checked so a provider-supplied icon can never inject other classes. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  const safe = CODICON_NAME.test(name) ? name : 'circle-outline';
  return h('span', { class: `codicon codicon-${safe}${extra ? ' ' + extra : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A value made on first use (e.g. a DOM template, which needs the document). */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Replaces a card; if focus was inside it, moves focus to the same action in the new card (or its refresh button). */
export function swapPreservingFocus(oldEl: HTMLElement, newEl: HTMLElement): void {
  const active = document.activeElement;
  const hadFocus = active instanceof HTMLElement && oldEl.contains(active);
  const action = hadFocus ? active.dataset.action : undefined;
  const meterId = hadFocus ? active.closest<HTMLElement>('[data-meter-id]')?.dataset.meterId : undefined;
  const range = hadFocus ? active.dataset.range : undefined;
  oldEl.replaceWith(newEl);
  if (!hadFocus) return;
  const sameMeter = meterId === undefined ? undefined : [...newEl.querySelectorAll<HTMLElement>('.meter-history')].find((b) => b.dataset.meterId === meterId);
  const target =
    (range && sameMeter ? sameMeter.querySelector<HTMLElement>(`button[data-range="${range}"]`) : null) ??
    (action ? newEl.querySelector<HTMLElement>(`[data-action="${action}"]`) : null) ??
    newEl.querySelector<HTMLElement>('button[data-action="refresh"]');
  target?.focus({ preventScroll: true });
}

/**
 * A <vscode-button>: role and tab stop set up front, so it is a named, focusable button from the first paint, before
 * the component is defined (main.ts also activates it from the keyboard until then). The codicon goes in its
 * `content-before` slot, so the label does not move when it is upgraded.
 */
export function actionButton(label: string, action: string, opts: { accountId?: string; secondary?: boolean; codicon?: string; testid?: string } = {}): HTMLElement {
  const b = hv('vscode-button', {
    class: 'btn',
    attrs: { role: 'button', tabindex: 0, secondary: opts.secondary ? '' : undefined },
    data: { action, accountId: opts.accountId },
    ...(opts.testid ? { testid: opts.testid } : {}),
  });
  if (opts.codicon) {
    const i = icon(opts.codicon);
    i.slot = 'content-before';
    b.append(i);
  }
  b.append(h('span', { text: label }));
  return b;
}

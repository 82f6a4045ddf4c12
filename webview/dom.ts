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
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  if (props.data) for (const [k, v] of Object.entries(props.data)) if (v !== undefined) el.dataset[k] = String(v);
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

const CODICON_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A decorative codicon; the name is checked so a provider-supplied icon can never inject other classes. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  const safe = CODICON_NAME.test(name) ? name : 'circle-outline';
  return h('span', { class: `codicon codicon-${safe}${extra ? ' ' + extra : ''}`, attrs: { 'aria-hidden': 'true' } });
}

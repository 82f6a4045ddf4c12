// A countdown's or age's tooltip (and accessible description) is its absolute time. Not formatted during the render
// (formats.ts): set when the pointer first reaches it, and for all of them once the page is idle.
import { absoluteTime } from './formats';
import { whenIdle } from './idle';

function titleCountdown(el: HTMLElement): void {
  const at = Number(el.dataset.at);
  if (Number.isFinite(at)) el.title = absoluteTime().format(at);
}

/** Titles the countdowns under `root` as the pointer reaches them; the returned function titles the rest when idle. */
export function wireCountdownTitles(root: HTMLElement): () => void {
  root.addEventListener('pointerover', (ev) => {
    const el = ev.target instanceof Element ? ev.target.closest<HTMLElement>('[data-tick][data-at]') : null;
    if (el && !el.title) titleCountdown(el);
  });
  return whenIdle(() => {
    for (const el of root.querySelectorAll<HTMLElement>('[data-tick][data-at]:not([title])')) titleCountdown(el);
  }, 5_000);
}

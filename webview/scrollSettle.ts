// Scrolling an element to the top of the panel so that it stays there while the layout above it settles.
// Cards near the viewport are laid out only once they come near it (content-visibility: auto, dashboard.css) and their
// charts are mounted as they come into view, so the cards above a jump's target change height in the frames after
// the scroll. The browser's scroll anchoring keeps a card above in place, not the target: the target would drift.

/** Frames in a row with the element where it was put before the layout counts as settled. */
const STABLE_FRAMES = 3;
/** At most this many frames are watched (about a second at 60 Hz). */
const MAX_FRAMES = 60;
/** What the user does to scroll on their own: from then on the page is theirs. */
const USER_SCROLL_EVENTS = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const;

let stopCurrent: (() => void) | undefined;

/** `el.scrollIntoView({ block: 'start' })`, repeated on the next frames while the element moves away from the top. */
export function scrollIntoViewSettled(el: HTMLElement): void {
  stopCurrent?.();
  el.scrollIntoView({ block: 'start' });
  let expected = el.getBoundingClientRect().top;
  let frames = 0;
  let stable = 0;
  let frame = 0;
  const stop = () => {
    cancelAnimationFrame(frame);
    for (const type of USER_SCROLL_EVENTS) window.removeEventListener(type, stop, true);
    if (stopCurrent === stop) stopCurrent = undefined;
  };
  const step = () => {
    if (!el.isConnected) return stop();
    const top = el.getBoundingClientRect().top;
    if (Math.abs(top - expected) > 1) {
      el.scrollIntoView({ block: 'start' });
      expected = el.getBoundingClientRect().top;
      stable = 0;
    } else stable++;
    if (stable >= STABLE_FRAMES || ++frames >= MAX_FRAMES) return stop();
    frame = requestAnimationFrame(step);
  };
  // Added after this task's own key press (the Enter that chose the row) has been dispatched.
  for (const type of USER_SCROLL_EVENTS) window.addEventListener(type, stop, { capture: true, passive: true });
  stopCurrent = stop;
  frame = requestAnimationFrame(step);
}

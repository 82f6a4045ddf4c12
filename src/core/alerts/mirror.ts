// The alert state in VS Code's globalState as well as in the host's file (issue #19 §2): globalState follows the
// user's profile to every window, local and remote, and lives on the machine that runs the workbench, so it survives
// a Codespace rebuild and is the same on the laptop and on the devbox. A new leader on another host then knows which
// alerts were already shown and does not repeat them.
//
// Every update writes both (under the file's lock, which only orders this host's windows); a load merges them: each
// meter's episode from whichever copy saw it last, the held notices and the recent show times from the mirror (the
// copy every host writes), or from the file when there is no mirror yet. The mirror is validated like the file and
// bounded in size (the oldest meters go first).
import * as z from 'zod/mini';
import type { KeyValueStore } from '../accountRepository';
import { nullLogger, scoped, type Logger } from '../log';
import { sanitizeAlertState } from './stateStore';
import type { AlertState, AlertStateStore } from './types';

export const ALERTS_KEY = 'tokstat.hosts.alerts.v1';
/** globalState is loaded into every window's memory: keep the mirror small. */
export const MAX_ALERT_MIRROR_CHARS = 128 * 1024;

const envelope = z.object({ version: z.literal(1), state: z.unknown() });

/** The mirrored state, or undefined when there is none (or it is not ours to trust). */
export function readAlertMirror(kv: KeyValueStore): AlertState | undefined {
  let raw: unknown;
  try {
    raw = kv.get<unknown>(ALERTS_KEY);
  } catch {
    return undefined;
  }
  const r = envelope.safeParse(raw);
  if (!r.success) return undefined;
  if (JSON.stringify(r.data.state ?? null).length > MAX_ALERT_MIRROR_CHARS) return undefined;
  return sanitizeAlertState(r.data.state);
}

/** Merges the host's file into the mirror (see the header). */
export function mergeAlertStates(file: AlertState, mirror: AlertState | undefined): AlertState {
  if (!mirror) return file;
  const meters = { ...mirror.meters };
  for (const [k, e] of Object.entries(file.meters)) {
    const m = meters[k];
    if (!m || e.seenAt > m.seenAt) meters[k] = e;
  }
  const out: AlertState = { version: 1, meters };
  if (mirror.held) out.held = mirror.held;
  if (mirror.shown) out.shown = mirror.shown;
  return out;
}

/** Drops the meters seen longest ago until the state fits the mirror's bound. */
export function boundAlertState(state: AlertState): AlertState {
  let text = JSON.stringify(state);
  if (text.length <= MAX_ALERT_MIRROR_CHARS) return state;
  const out: AlertState = { ...state, meters: { ...state.meters } };
  const oldestFirst = Object.entries(out.meters).sort((a, b) => a[1].seenAt - b[1].seenAt);
  for (const [k] of oldestFirst) {
    delete out.meters[k];
    text = JSON.stringify(out);
    if (text.length <= MAX_ALERT_MIRROR_CHARS) break;
  }
  if (text.length > MAX_ALERT_MIRROR_CHARS) delete out.held;
  return out;
}

export class MirroredAlertStateStore implements AlertStateStore {
  private readonly log: Logger;

  constructor(
    private readonly file: AlertStateStore,
    private readonly kv: KeyValueStore,
    log: Logger = nullLogger,
  ) {
    this.log = scoped(log, 'alert-store');
  }

  async load(): Promise<AlertState> {
    return mergeAlertStates(await this.file.load(), readAlertMirror(this.kv));
  }

  async update(change: (state: AlertState) => AlertState | undefined): Promise<void> {
    let written: AlertState | undefined;
    await this.file.update((fromFile) => {
      const next = change(mergeAlertStates(fromFile, readAlertMirror(this.kv)));
      written = next;
      return next;
    });
    if (!written) return;
    await this.kv
      .update(ALERTS_KEY, { version: 1, state: boundAlertState(written) })
      .catch((e: unknown) => this.log.warn(`cannot share the alert state with other hosts: ${e instanceof Error ? e.message : String(e)}`));
  }
}

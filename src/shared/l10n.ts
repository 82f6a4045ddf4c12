// The translator and the locale of the code shared by the host, its lazily loaded chunks and the dashboard webview.
// `src/shared` (and `src/core`) may not import vscode, so the text they build goes through `l10n.t`, which the
// host points at `vscode.l10n.t` (src/host/l10n.ts) and the webview at the message bundle the host hands it
// (DashboardState `l10n`). Without either (the CLI, the usage worker, unit tests) messages stay in English.
//
// Both live on `globalThis` under a registered symbol: each esbuild bundle (dist/extension.js, dist/insights.js, …)
// carries its own copy of this module, and all of them must translate alike.
//
// Strings are extracted with @vscode/l10n-dev (scripts/l10n-export.js), which finds calls of the form
// `l10n.t('Message with {0}', arg)`: keep that shape (a literal message, arguments by position) for every call.

/** Arguments a message's `{0}`, `{1}`, … stand for. */
export type L10nArg = string | number | boolean;
export type Translate = (message: string, ...args: L10nArg[]) => string;

interface L10nGlobal {
  translate?: Translate;
  /** BCP 47 tag numbers, money and dates are formatted for ("en", "zh-cn", …). */
  locale?: string;
}

const KEY = Symbol.for('tokstat.l10n');

function slot(): L10nGlobal {
  const g = globalThis as unknown as Record<symbol, L10nGlobal | undefined>;
  let s = g[KEY];
  if (!s) {
    s = {};
    g[KEY] = s;
  }
  return s;
}

/** Replaces `{0}`, `{1}`, … by the arguments; an index without an argument stays as written. */
export function formatMessage(message: string, args: readonly L10nArg[]): string {
  if (args.length === 0) return message;
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => {
    const a = args[Number(i)];
    return a === undefined ? whole : String(a);
  });
}

export const l10n = {
  /** `message` in the user's language, its `{0}`, `{1}`, … replaced by `args`. */
  t(message: string, ...args: L10nArg[]): string {
    const tr = slot().translate;
    return tr ? tr(message, ...args) : formatMessage(message, args);
  },
};

/** Sets (or, with undefined, clears) the translator and the locale of every tokstat bundle in this JS realm. */
export function setL10n(translate: Translate | undefined, locale: string | undefined): void {
  const s = slot();
  s.translate = translate;
  s.locale = locale;
}

/** The locale numbers and dates follow: what `setL10n` was given, else "en". */
export function currentLocale(): string {
  return slot().locale ?? 'en';
}

/** A translator over a message bundle (the contents of l10n/bundle.l10n.<locale>.json); a message it lacks stays English. */
export function bundleTranslator(bundle: Readonly<Record<string, string>> | undefined): Translate {
  return (message, ...args) => {
    const own = bundle && Object.prototype.hasOwnProperty.call(bundle, message) ? bundle[message] : undefined;
    return formatMessage(typeof own === 'string' ? own : message, args);
  };
}

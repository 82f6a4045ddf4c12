// The live price book: bundled table + LiteLLM refresh cached on disk + user overrides, shared by the extension and
// the CLI. The refresh is best effort: any failure (offline, HTTP error, malformed or suspiciously small list) keeps
// what was there (disk cache, else the bundled table) and is retried later; it never blanks prices.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import bundledJson from './prices.generated.json';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { Emitter, type Disposable } from '../events';
import { nullLogger, scoped, type Logger } from '../log';
import { validateBaseUrl } from '../endpoints';
import { parseLiteLLM, parseOverrides, PriceBook, type ModelRates, type PriceLayer, type PriceTableData } from './pricing';
import { mkdirPrivate, writeFilePrivate } from '../privateFs';

export const DEFAULT_PRICES_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
export const PRICES_TTL_MS = 24 * 3_600_000;
/** After a failed refresh, wait this long before the next attempt (per process). */
export const PRICES_RETRY_MS = 3_600_000;
/** A list with fewer priced text models than this is treated as broken (truncated file, wrong URL). */
const MIN_ROWS = 20;
/**
 * The one size limit of the price list, wherever it is read: the download (through the HTTP client or the global
 * fetch) and the disk cache. LiteLLM's model_prices_and_context_window.json is ~1.5–2 MB today; 8 MiB leaves room
 * for it to grow fourfold while bounding what a wrong or hostile URL can make the extension host hold (the text and
 * its parsed JSON).
 */
export const PRICE_LIST_MAX_BYTES = 8 * 1024 * 1024;

export const bundledPrices: PriceTableData & { source: string } = bundledJson as unknown as PriceTableData & { source: string };

/** Fetches `url`; must fail rather than return a body larger than `maxBytes`. */
export type FetchText = (url: string, opts: { signal: AbortSignal; maxBytes: number }) => Promise<{ status: number; text: string }>;

/** Global fetch with the size cap. */
export const defaultFetchText: FetchText = async (url, { signal, maxBytes }) => {
  const res = await fetch(url, { signal, headers: { 'user-agent': 'tokstat', accept: 'application/json' } });
  if (!res.body) return { status: res.status, text: '' };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`price list larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return { status: res.status, text: Buffer.concat(chunks).toString('utf8') };
};

interface CacheFile {
  version: 1;
  url: string;
  /** Epoch ms. */
  fetchedAt: number;
  models: Record<string, ModelRates>;
}

export interface PricingOptions {
  /** Where the converted LiteLLM list is cached, e.g. `<globalStorage>/pricing/litellm.json`; undefined: no disk cache. */
  cacheFile?: string;
  /** Price list URL (setting `tokstat.pricing.url`); https, or http on loopback only. */
  url?: string;
  /** Setting `tokstat.pricing.offline`: never fetch (the disk cache, if any, is still used). */
  offline?: boolean;
  /** Setting `tokstat.pricing.overrides`. */
  overrides?: unknown;
  ttlMs?: number;
  timeoutMs?: number;
  clock?: Clock;
  log?: Logger;
  fetchText?: FetchText;
}

export type RefreshOutcome = 'offline' | 'fresh' | 'updated' | 'failed' | 'backoff';

export interface PricingStatus {
  /** Which table backs lookups besides overrides. */
  source: 'litellm' | 'bundled';
  bundledSource: string;
  /** Epoch ms of the LiteLLM list in use. */
  fetchedAt?: number;
  lastError?: string;
  overrideErrors: string[];
  offline: boolean;
}

export class PricingService implements Disposable {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly fetchText: FetchText;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private url: string;
  private offline: boolean;
  private overrides: PriceTableData = { models: {} };
  private overrideErrors: string[] = [];
  private remote: CacheFile | undefined;
  private lastError: string | undefined;
  private lastFailureAt: number | undefined;
  private inflight: Promise<RefreshOutcome> | undefined;
  private timer: TimerHandle | undefined;
  private disposed = false;
  private current: PriceBook;
  private fingerprintMemo: string | undefined;
  private readonly changed = new Emitter<void>();
  /** Fires when prices changed (refresh, overrides); re-price what is shown. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: PricingOptions = {}) {
    this.log = scoped(opts.log ?? nullLogger, 'pricing');
    this.clock = opts.clock ?? systemClock;
    this.fetchText = opts.fetchText ?? defaultFetchText;
    this.ttlMs = opts.ttlMs ?? PRICES_TTL_MS;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.url = opts.url ?? DEFAULT_PRICES_URL;
    this.offline = opts.offline ?? false;
    this.applyOverrides(opts.overrides);
    this.current = this.build();
  }

  get book(): PriceBook {
    return this.current;
  }

  /**
   * What the prices are, as a short hash: equal when every price is (a re-download of an unchanged list keeps it), so
   * a cache of costs computed with them (the CLI's persisted index) knows when it must be rebuilt.
   */
  fingerprint(): string {
    return (this.fingerprintMemo ??= createHash('sha256')
      .update(JSON.stringify([bundledPrices.source, this.remote?.models ?? null, this.overrides]))
      .digest('hex')
      .slice(0, 16));
  }

  status(): PricingStatus {
    const s: PricingStatus = {
      source: this.remote ? 'litellm' : 'bundled',
      bundledSource: bundledPrices.source,
      overrideErrors: [...this.overrideErrors],
      offline: this.offline,
    };
    if (this.remote) s.fetchedAt = this.remote.fetchedAt;
    if (this.lastError) s.lastError = this.lastError;
    return s;
  }

  /** Loads the disk cache (any age). Never rejects. */
  async init(): Promise<void> {
    const file = this.opts.cacheFile;
    if (!file) return;
    try {
      const size = (await fsp.stat(file)).size;
      if (size > PRICE_LIST_MAX_BYTES) {
        this.log.warn(`ignoring a price cache of ${size} bytes (more than ${PRICE_LIST_MAX_BYTES})`);
        return;
      }
      const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.version !== 1 || typeof parsed.fetchedAt !== 'number' || typeof parsed.url !== 'string' || !parsed.models || typeof parsed.models !== 'object') {
        this.log.warn('ignoring an unreadable price cache');
        return;
      }
      this.remote = parsed as CacheFile;
      this.rebuild();
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ENOENT') this.log.warn(`cannot read the price cache: ${msg(e)}`);
    }
  }

  setOverrides(value: unknown): void {
    this.applyOverrides(value);
    this.rebuild();
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  isStale(): boolean {
    if (!this.remote) return true;
    if (this.remote.url !== this.url) return true;
    return this.clock.now() - this.remote.fetchedAt >= this.ttlMs;
  }

  /** Fetches the list when the cache is older than the TTL (or forced). Never rejects. */
  refreshIfStale(force = false): Promise<RefreshOutcome> {
    if (this.offline) return Promise.resolve('offline');
    if (!force && !this.isStale()) return Promise.resolve('fresh');
    if (!force && this.lastFailureAt !== undefined && this.clock.now() - this.lastFailureAt < PRICES_RETRY_MS) return Promise.resolve('backoff');
    this.inflight ??= this.refresh().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Checks hourly (cheap when fresh). Disposed with the service. */
  startAutoRefresh(everyMs = 3_600_000): void {
    const tick = (): void => {
      this.timer = undefined;
      if (this.disposed) return;
      this.refreshIfStale()
        .catch(() => 'failed')
        .finally(() => {
          if (!this.disposed) this.timer = this.clock.setTimeout(tick, everyMs);
        });
    };
    if (!this.timer) this.timer = this.clock.setTimeout(tick, 0);
  }

  private async refresh(): Promise<RefreshOutcome> {
    let url: string;
    try {
      url = validateBaseUrl(this.url, 'tokstat.pricing.url');
    } catch (e) {
      return this.fail(msg(e));
    }
    const started = this.clock.now();
    try {
      const res = await this.fetchText(url, { signal: AbortSignal.timeout(this.timeoutMs), maxBytes: PRICE_LIST_MAX_BYTES });
      if (res.status !== 200) return this.fail(`HTTP ${res.status}`);
      let doc: unknown;
      try {
        doc = JSON.parse(res.text);
      } catch {
        return this.fail(`not JSON (${res.text.length} bytes)`);
      }
      const parsed = parseLiteLLM(doc);
      if (parsed.rows < MIN_ROWS) return this.fail(`only ${parsed.rows} priced models`);
      if (this.disposed) return 'failed';
      this.remote = { version: 1, url: this.url, fetchedAt: this.clock.now(), models: parsed.data.models };
      this.lastError = undefined;
      this.lastFailureAt = undefined;
      this.rebuild();
      this.log.info(`price list updated: ${parsed.rows} models (${parsed.skipped} rows skipped) in ${this.clock.now() - started} ms`);
      await this.writeCache(this.remote);
      return 'updated';
    } catch (e) {
      return this.fail(msg(e));
    }
  }

  private fail(why: string): RefreshOutcome {
    this.lastError = why;
    this.lastFailureAt = this.clock.now();
    this.log.warn(`price list refresh failed, keeping the ${this.remote ? 'cached' : 'bundled'} prices: ${why}`);
    return 'failed';
  }

  private async writeCache(c: CacheFile): Promise<void> {
    const file = this.opts.cacheFile;
    if (!file) return;
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdirPrivate(path.dirname(file));
      await writeFilePrivate(tmp, JSON.stringify(c), 'utf8');
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      this.log.warn(`cannot write the price cache: ${msg(e)}`);
    }
  }

  private applyOverrides(value: unknown): void {
    const o = parseOverrides(value);
    this.overrides = o.data;
    this.overrideErrors = o.errors;
    for (const e of o.errors) this.log.warn(e);
  }

  private build(): PriceBook {
    const layers: PriceLayer[] = [{ source: 'bundled', data: bundledPrices }];
    if (this.remote) layers.push({ source: 'litellm', data: { models: this.remote.models } });
    if (Object.keys(this.overrides.models).length) layers.push({ source: 'override', data: this.overrides });
    return new PriceBook(layers);
  }

  private rebuild(): void {
    this.fingerprintMemo = undefined;
    this.current = this.build();
    this.changed.fire();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.dispose();
  }
}

function msg(e: unknown): string {
  if (e instanceof Error) return e.name === 'TimeoutError' ? 'timed out' : e.message;
  return String(e);
}

// Deterministic generator of GitHub Copilot CLI session logs (provider-apis.md §8.5) with known true totals, for the
// exact-accounting test of the Copilot CLI reader. It writes every trap the section names: `session-state/<id>/
// events.jsonl` with a `session.start` (session id and folder; some without, the folder name is the session), events
// that carry no usage (`assistant.message` with its own output count, `session.usage_checkpoint`, model changes), tool
// events whose arguments quote `"session.shutdown"`, one `session.shutdown` per CLI process with per-model totals
// (input including cache reads and writes; reasoning inside output except for Gemini models; routing suffixes such as
// `-1m-internal`), resumed sessions appending another shutdown (summed), credit-only rows written in duplicate pairs
// with different ids (counted once), legacy premium-request rows (`requests.cost` × $0.04, no AI credits), a line with
// an implausible count (rejected whole), malformed middle lines, a truncated last line, an old flat
// `session-state/<id>.jsonl`, and a `checkpoints/` file quoting a shutdown that must never be read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { localDay } from '../../src/core/usage/usageIndex';
import type { TokenCountsWithReasoning } from '../../src/shared/tokens';
import { rng } from './rng';

export interface CopilotTotals extends TokenCountsWithReasoning {
  requests: number;
  /** AI credits (nano-AIU / 1e9). */
  aiCredits: number;
  /** What the records cost: credits × $0.01, else premium requests × $0.04. */
  costUSD: number;
}

export interface CopilotCorpus {
  /** The COPILOT_HOME (holding `session-state/`). */
  home: string;
  truth: {
    total: CopilotTotals;
    /** Local day (as the index buckets) → totals. */
    byDay: Record<string, CopilotTotals>;
    /** Session id → totals. */
    bySession: Record<string, CopilotTotals>;
    /** Normalised model → totals. */
    byModel: Record<string, CopilotTotals>;
    /** Files the reader should read (events.jsonl and flat .jsonl; not checkpoints). */
    files: number;
    shapes: { resumed: number; creditPairs: number; legacy: number; gemini: number; suffixed: number; rejected: number; malformed: number; truncated: number; quoted: number };
  };
}


const zero = (): CopilotTotals => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, requests: 0, aiCredits: 0, costUSD: 0 });

/** Raw model ids as the CLI writes them → the name tokstat counts them under. */
const MODELS: ReadonlyArray<[raw: string, name: string]> = [
  ['claude-sonnet-4.5', 'claude-sonnet-4.5'],
  ['claude-opus-4.7-1m-internal', 'claude-opus-4.7'],
  ['gpt-5.2-codex', 'gpt-5.2-codex'],
  ['gpt-5.2-xhigh', 'gpt-5.2'],
  ['gemini-3-pro-preview', 'gemini-3-pro-preview'],
];

export function generateCopilotCorpus(dir: string, opts: { seed?: number; sessions?: number; startTs?: number } = {}): CopilotCorpus {
  const rand = rng(opts.seed ?? 21);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const home = path.join(dir, 'copilot');
  const root = path.join(home, 'session-state');
  const truth: CopilotCorpus['truth'] = {
    total: zero(), byDay: {}, bySession: {}, byModel: {}, files: 0,
    shapes: { resumed: 0, creditPairs: 0, legacy: 0, gemini: 0, suffixed: 0, rejected: 0, malformed: 0, truncated: 0, quoted: 0 },
  };
  let ts = opts.startTs ?? Date.UTC(2026, 10, 20, 9, 0, 0);
  let seq = 0;
  const uuid = () => `0b9c2f4e-${(++seq).toString(16).padStart(4, '0')}-4c2a-9d7e-${Math.floor(rand() * 0xffffffffffff).toString(16).padStart(12, '0')}`;
  const count = (day: string, session: string, model: string, u: CopilotTotals) => {
    for (const tot of [truth.total, (truth.byDay[day] ??= zero()), (truth.bySession[session] ??= zero()), (truth.byModel[model] ??= zero())]) {
      for (const [k, v] of Object.entries(u)) (tot as unknown as Record<string, number>)[k] += v;
    }
  };
  const line = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type, id: uuid(), timestamp: new Date(ts).toISOString(), parentId: null, data, ...extra });

  const sessions = opts.sessions ?? 40;
  for (let s = 0; s < sessions; s++) {
    const folder = uuid();
    const withStart = s % 7 !== 3;
    // The session id of session.start equals the folder name in practice; a different one proves it is taken.
    const sessionId = withStart ? `sess-${s.toString().padStart(4, '0')}` : folder;
    const cwd = `/home/dev/${['alpha', 'beta', 'gamma'][s % 3]}`;
    const flat = s % 13 === 5;
    const file = flat ? path.join(root, `${folder}.jsonl`) : path.join(root, folder, 'events.jsonl');
    const lines: string[] = [];
    ts += int(30, 600) * 60_000;
    if (withStart) lines.push(line('session.start', { sessionId, version: 1, producer: 'copilot-agent', copilotVersion: '1.0.70', startTime: new Date(ts).toISOString(), context: { cwd } }));
    const processes = s % 4 === 1 ? 2 : 1;
    if (processes > 1) truth.shapes.resumed++;
    for (let p = 0; p < processes; p++) {
      if (p > 0) lines.push(line('session.resume', { resumeTime: new Date(ts).toISOString() }));
      const turns = int(2, 6);
      for (let t = 0; t < turns; t++) {
        ts += int(5, 300) * 1000;
        lines.push(line('user.message', { content: 'explain the code' }));
        // Its own output count: not a usage record (the shutdown's totals include it).
        lines.push(line('assistant.message', { messageId: uuid(), model: 'claude-sonnet-4.5', outputTokens: int(10, 900), content: 'done' }));
        if (rand() < 0.3) {
          truth.shapes.quoted++;
          lines.push(line('tool.execution_start', { toolName: 'bash', arguments: { pattern: 'session.shutdown', path: 'events.jsonl' } }));
        }
        if (rand() < 0.2) lines.push(line('session.usage_checkpoint', { totalNanoAiu: int(1, 99) * 1e9 }));
        if (rand() < 0.1) {
          truth.shapes.malformed++;
          lines.push('{"type":"session.shutdown","id":"broken","data":{"modelMetrics":{');
        }
      }
      ts += int(1, 60) * 1000;
      // A few processes stop just before local midnight and the next one after it: days are the shutdowns' days.
      if (rand() < 0.15) {
        const m = new Date(ts);
        m.setHours(24, 0, 0, 0);
        ts = m.getTime() - int(1, 30) * 1000;
      }
      const legacy = s % 9 === 2;
      const metrics: Record<string, unknown> = {};
      const picked = new Set<number>();
      const nModels = int(1, 3);
      while (picked.size < nModels) picked.add(int(0, MODELS.length - 1));
      for (const i of picked) {
        const [raw, name] = MODELS[i]!;
        if (raw !== name) truth.shapes.suffixed++;
        const cacheRead = int(0, 400_000);
        const cacheWrite = int(0, 30_000);
        const uncached = int(100, 60_000);
        const output = int(50, 20_000);
        const reasoning = int(0, output);
        const requests = int(1, 60);
        const gemini = name.startsWith('gemini-');
        if (gemini) truth.shapes.gemini++;
        const m: Record<string, unknown> = {
          requests: { count: requests, cost: int(0, requests) },
          usage: { inputTokens: uncached + cacheRead + cacheWrite, outputTokens: output, cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite, reasoningTokens: reasoning },
        };
        let aiCredits = 0;
        let costUSD: number;
        if (legacy) {
          truth.shapes.legacy++;
          m.requests = { count: requests, cost: int(1, requests) };
          costUSD = (m.requests as { cost: number }).cost * 0.04;
        } else {
          const nano = int(1, 90_000) * 1e7;
          m.totalNanoAiu = nano;
          aiCredits = nano / 1e9;
          costUSD = aiCredits * 0.01;
        }
        metrics[raw] = m;
        count(localDay(ts), sessionId, name, {
          inputTokens: uncached, outputTokens: output + (gemini ? reasoning : 0), cacheReadTokens: cacheRead, cacheWrite5mTokens: cacheWrite,
          cacheWrite1hTokens: 0, reasoningTokens: reasoning, requests, aiCredits, costUSD,
        });
      }
      lines.push(line('session.shutdown', {
        shutdownType: 'routine', sessionStartTime: ts - 600_000, totalApiDurationMs: int(1000, 900_000), currentModel: 'claude-sonnet-4.5',
        codeChanges: { linesAdded: 3, linesRemoved: 1, filesModified: ['src/a.ts'] }, modelMetrics: metrics,
      }));
      // Credit-only rows (no tokens) come in duplicate pairs with different ids: one charge.
      if (!legacy && rand() < 0.3) {
        truth.shapes.creditPairs++;
        const nano = int(1, 5000) * 1e7;
        const cm = { 'claude-sonnet-4.5': { requests: { count: 0, cost: 0 }, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, totalNanoAiu: nano } };
        ts += 1000;
        lines.push(line('session.shutdown', { shutdownType: 'routine', sessionStartTime: ts, modelMetrics: cm }));
        count(localDay(ts), sessionId, 'claude-sonnet-4.5', { ...zero(), requests: 1, aiCredits: nano / 1e9, costUSD: (nano / 1e9) * 0.01 });
        lines.push(line('session.shutdown', { shutdownType: 'routine', sessionStartTime: ts, modelMetrics: cm }));
      }
      // A damaged shutdown (an absurd count) is rejected whole: none of its models count.
      if (s % 11 === 6 && p === 0) {
        truth.shapes.rejected++;
        lines.push(line('session.shutdown', { shutdownType: 'error', modelMetrics: { 'claude-sonnet-4.5': { requests: { count: 1 }, usage: { inputTokens: 5, outputTokens: 1e300 }, totalNanoAiu: 1e9 } } }));
      }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Some files end in a line the CLI is still writing: not counted (and it carries nothing countable here).
    const truncated = s % 10 === 9;
    if (truncated) truth.shapes.truncated++;
    fs.writeFileSync(file, lines.join('\n') + (truncated ? '\n{"type":"session.shutdown","id":"x","timestamp":"2026-' : '\n'));
    truth.files++;
    if (!flat && s % 5 === 0) {
      // A checkpoint quoting a shutdown: the user's files, never read.
      fs.mkdirSync(path.join(root, folder, 'checkpoints'), { recursive: true });
      fs.writeFileSync(path.join(root, folder, 'checkpoints', 'index.jsonl'), line('session.shutdown', { modelMetrics: { 'gpt-5.2': { requests: { count: 9 }, usage: { inputTokens: 999, outputTokens: 999 }, totalNanoAiu: 9e9 } } }) + '\n');
    }
  }
  return { home, truth };
}

// Deterministic generator of realistic Claude Code + Codex CLI logs with known true totals, for exact-accounting tests
// and the scan benchmark. It writes every trap of provider-apis.md §8: one response split over several content-block
// lines, streamed (output_tokens growing from a first partial value to the final count on the last line, which may fall
// on the next day: the response counts on its first line's day) or repeating the same usage, sidechain replays in
// subagent files, resumed sessions copying earlier responses, synthetic lines, responses without a requestId (absent or
// empty: billed, one count per message id), bulky tool results, Codex cumulative-only counters, repeated token_count
// events, rate-limit-only events, subagent replays whose totals are the baseline of the first own event, forked
// rollouts (`forked_from_id`) beginning with a copy of the parent's history with original or rewritten timestamps,
// branch copies without `forked_from_id`, a missing model, malformed middle lines and truncated last lines. `cuts`
// names byte offsets inside streamed responses, to cut files at a scan boundary.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { localDay } from '../../src/core/usage/usageIndex';
import type { TokenCountsWithReasoning } from '../../src/shared/tokens';
import { rng } from './rng';

export interface TrueTotals extends TokenCountsWithReasoning {
  webSearchRequests: number;
  requests: number;
  toolCalls: number;
  toolErrors: number;
}

export interface CorpusTruth {
  byAgent: Record<'claude-code' | 'codex', TrueTotals>;
  /** `${agent}|${day}` (local day, as the index buckets) → totals. */
  byAgentDay: Record<string, TrueTotals>;
  /** Codex requests whose model was guessed. */
  codexFallbackRequests: number;
  /** How many of each trap the corpus holds (tests check that every one is exercised). */
  shapes: {
    /** Claude responses streamed over several lines with a growing output count. */
    streamed: number;
    /** … whose last line is on another day than the first. */
    streamedAcrossMidnight: number;
    /** Claude responses without a requestId (absent / empty). */
    noRequestId: number;
    emptyRequestId: number;
    /** Codex forks by kind. */
    forkRewritten: number;
    forkOriginal: number;
    branchCopy: number;
    /** Codex subagent rollouts whose first own event carries totals only. */
    subagentTotalsOnly: number;
  };
  files: number;
  bytes: number;
}

export interface Corpus {
  claudeConfigDir: string;
  codexHome: string;
  truth: CorpusTruth;
  /** Byte offsets just after the first line of a streamed, multi-line response (one per file that has one). */
  cuts: Array<{ file: string; offset: number }>;
}

export interface CorpusOptions {
  seed?: number;
  /** Approximate total size to generate (default 2 MB). */
  targetBytes?: number;
  /** Start time of the first session (default 2026-03-01T08:00Z). */
  startTs?: number;
  /** Share of bytes for Claude (default 0.75). */
  claudeShare?: number;
  /** Every rare trap much more often, and smaller tool results (more sessions per MB): small test corpora hold them all. */
  dense?: boolean;
  /** Responses with an empty requestId (default true; the ccusage bench leaves them out, see docs/bench-usage.md). */
  emptyRequestIds?: boolean;
}


const zero = (): TrueTotals => ({
  inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0,
  webSearchRequests: 0, requests: 0, toolCalls: 0, toolErrors: 0,
});

const WORDS = 'the quick brown fox jumps over lazy dog const let function return import export async await class interface type'.split(' ');

export function generateCorpus(dir: string, opts: CorpusOptions = {}): Corpus {
  const rand = rng(opts.seed ?? 42);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const target = opts.targetBytes ?? 2_000_000;
  /** Probability of a rare trap: `normal`, or `dense` in a dense corpus. */
  const P = (normal: number, dense: number) => (opts.dense ? dense : normal);
  const claudeTarget = target * (opts.claudeShare ?? 0.75);
  const truth: CorpusTruth = {
    byAgent: { 'claude-code': zero(), codex: zero() }, byAgentDay: {}, codexFallbackRequests: 0, files: 0, bytes: 0,
    shapes: { streamed: 0, streamedAcrossMidnight: 0, noRequestId: 0, emptyRequestId: 0, forkRewritten: 0, forkOriginal: 0, branchCopy: 0, subagentTotalsOnly: 0 },
  };
  const claudeConfigDir = path.join(dir, 'claude');
  const codexHome = path.join(dir, 'codex');
  let ts = opts.startTs ?? Date.UTC(2026, 2, 1, 8, 0, 0);
  let seq = 0;
  const id = (p: string) => `${p}${(++seq).toString(36).padStart(8, '0')}${Math.floor(rand() * 1e9).toString(36)}`;
  const text = (n: number) => {
    const parts: string[] = [];
    let len = 0;
    while (len < n) {
      const w = pick(WORDS);
      parts.push(w);
      len += w.length + 1;
    }
    return parts.join(' ');
  };
  const count = (agent: 'claude-code' | 'codex', t: number, u: Partial<TrueTotals>) => {
    const day = `${agent}|${localDay(t)}`;
    for (const tot of [truth.byAgent[agent], (truth.byAgentDay[day] ??= zero())]) {
      for (const [k, v] of Object.entries(u)) (tot as unknown as Record<string, number>)[k] += v as number;
    }
  };
  const cuts: Corpus['cuts'] = [];
  const write = (file: string, lines: string[], tail = '\n') => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const content = lines.join('\n') + tail;
    fs.writeFileSync(file, content);
    truth.files++;
    truth.bytes += Buffer.byteLength(content);
  };

  // ── Claude Code ──
  const models = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];
  const projects = ['/home/dev/alpha', '/home/dev/beta', '/home/dev/beta/packages/web'];
  let claudeBytes = 0;
  const earlier: string[] = []; // lines a resumed session copies
  let sessionNo = 0;
  /** Index (in `lines`) of the line just after the first line of the last streamed multi-line response. */
  let cutAt = -1;
  while (claudeBytes < claudeTarget) {
    sessionNo++;
    const cwd = pick(projects);
    const sessionId = `sess-${sessionNo.toString().padStart(5, '0')}`;
    const file = path.join(claudeConfigDir, 'projects', cwd.replace(/[/\\.]/g, '-'), `${sessionId}.jsonl`);
    const lines: string[] = [];
    const sub: string[] = [];
    cutAt = -1;
    const base = { sessionId, cwd, version: '2.1.260', userType: 'external', gitBranch: 'main' };
    lines.push(JSON.stringify({ type: 'summary', summary: text(40), leafUuid: id('u') }));
    // A resumed session starts with copies of earlier messages: already counted.
    if (earlier.length && rand() < 0.3) {
      // Whole responses: from the first line of a response among the last few copied lines.
      let from = Math.max(0, earlier.length - int(2, 8));
      const msgOf = (l: string) => /"message":\{"id":"([^"]+)"/.exec(l)?.[1];
      while (from > 0 && msgOf(earlier[from]!) === msgOf(earlier[from - 1]!)) from--;
      lines.push(...earlier.slice(from).map((l) => l.replace(/"sessionId":"[^"]+"/, `"sessionId":"${sessionId}"`)));
    }
    const turns = opts.dense ? int(3, 12) : int(5, 40);
    for (let t = 0; t < turns; t++) {
      ts += int(2_000, 90_000);
      if (rand() < 0.02) ts += int(6, 20) * 3_600_000; // long pause: new 5-hour block, new day
      lines.push(JSON.stringify({ ...base, type: 'user', uuid: id('u'), timestamp: new Date(ts).toISOString(), message: { role: 'user', content: text(int(20, 300)) } }));
      const model = pick(models);
      const msgId = id('msg_01');
      const requestId = id('req_011C');
      const input = int(1, 50);
      const output = int(10, 4000);
      const read = int(0, 150_000);
      const w5 = rand() < 0.7 ? int(0, 20_000) : 0;
      const w1 = rand() < 0.4 ? int(0, 30_000) : 0;
      const split = rand() < 0.8;
      const web = rand() < 0.05 ? int(1, 3) : 0;
      const usage: Record<string, unknown> = {
        input_tokens: input,
        cache_creation_input_tokens: split ? w5 + w1 : w5,
        cache_read_input_tokens: read,
        output_tokens: output,
        service_tier: 'standard',
      };
      if (split) usage.cache_creation = { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 };
      if (web) usage.server_tool_use = { web_search_requests: web };
      if (rand() < 0.05) usage.speed = 'fast';
      ts += int(500, 20_000);
      // Streamed responses write one line per content block, the output count growing; older versions repeated the
      // final usage on every line.
      const streamed = rand() < 0.7;
      // A few responses start a second before local midnight: their last line is on the next day.
      if (streamed && rand() < P(0.02, 0.15)) {
        const m = new Date(ts);
        m.setHours(24, 0, 0, 0);
        ts = m.getTime() - 1000;
      }
      const at = ts;
      // Some front ends write no requestId (absent or empty): billed, one count per message id in the session.
      const noReq = rand() < P(0.03, 0.15) ? (rand() < 0.5 || opts.emptyRequestIds === false ? 'absent' : 'empty') : undefined;
      count('claude-code', at, {
        inputTokens: input, outputTokens: output, cacheReadTokens: read, cacheWrite5mTokens: w5, cacheWrite1hTokens: split ? w1 : 0,
        webSearchRequests: web, requests: 1,
      });
      const tools = rand() < 0.6 ? int(1, 3) : 0;
      const blocks: unknown[] = [{ type: 'text', text: text(int(20, 400)) }];
      const toolIds: string[] = [];
      for (let k = 0; k < tools; k++) {
        const tid = id('toolu_01');
        toolIds.push(tid);
        blocks.push({ type: 'tool_use', id: tid, name: pick(['Read', 'Edit', 'Bash', 'Grep']), input: { file_path: `${cwd}/src/${text(8).replace(/ /g, '_')}.ts` } });
      }
      const outs: number[] = blocks.map(() => output);
      if (streamed && blocks.length > 1) {
        outs[0] = Math.min(output, int(1, 5));
        for (let k = 1; k < blocks.length - 1; k++) outs[k] = int(outs[k - 1]!, output);
      }
      const copy = rand() < 0.3;
      const respLines: string[] = [];
      let lineTs = at;
      blocks.forEach((b, k) => {
        if (k > 0) lineTs += streamed ? int(1_500, 4_000) : 0;
        const line = JSON.stringify({
          ...base, type: 'assistant', uuid: id('u'), parentUuid: id('u'), isSidechain: false,
          ...(noReq === 'absent' ? {} : { requestId: noReq === 'empty' ? '' : requestId }), timestamp: new Date(lineTs).toISOString(),
          message: { id: msgId, type: 'message', role: 'assistant', model, content: [b], stop_reason: k === blocks.length - 1 ? (tools ? 'tool_use' : 'end_turn') : null, usage: { ...usage, output_tokens: outs[k] } },
        });
        if (k === 1 && streamed) cutAt = lines.length + 1;
        lines.push(line);
        respLines.push(line);
      });
      ts = Math.max(ts, lineTs);
      if (streamed && blocks.length > 1) {
        truth.shapes.streamed++;
        if (localDay(lineTs) !== localDay(at)) truth.shapes.streamedAcrossMidnight++;
      }
      if (noReq === 'absent') truth.shapes.noRequestId++;
      if (noReq === 'empty') truth.shapes.emptyRequestId++;
      // A resumed session copies whole earlier responses (all their lines).
      if (copy && !noReq) earlier.push(...respLines);
      for (const tid of toolIds) {
        ts += int(100, 30_000);
        const err = rand() < 0.1;
        truth.byAgent['claude-code'].toolCalls++;
        if (err) truth.byAgent['claude-code'].toolErrors++;
        // Bulky tool results are most of the bytes of real transcripts.
        const bulk = text(opts.dense ? int(50, 600) : rand() < 0.1 ? int(20_000, 120_000) : int(200, 6_000));
        lines.push(JSON.stringify({
          ...base, type: 'user', uuid: id('u'), timestamp: new Date(ts).toISOString(),
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: tid, content: bulk, ...(err ? { is_error: true } : {}) }] },
          toolUseResult: { stdout: bulk.slice(0, 2000), stderr: '', interrupted: false },
        }));
      }
      // Subagent: a sidechain replay of this request (same message id, another request id), then its own work.
      if (rand() < 0.15) {
        sub.push(JSON.stringify({
          ...base, type: 'assistant', isSidechain: true, uuid: id('u'), requestId: id('req_011C'), timestamp: new Date(at + 500).toISOString(),
          message: { id: msgId, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'replay' }], usage },
        }));
        const own = { input_tokens: int(1, 20), output_tokens: int(10, 900), cache_read_input_tokens: int(0, 30_000), cache_creation_input_tokens: int(0, 5000) };
        const t2 = at + 1500;
        sub.push(JSON.stringify({
          ...base, type: 'assistant', isSidechain: true, uuid: id('u'), requestId: id('req_011C'), timestamp: new Date(t2).toISOString(),
          message: { id: id('msg_01'), type: 'message', role: 'assistant', model, content: [{ type: 'text', text: text(100) }], usage: own },
        }));
        count('claude-code', t2, {
          inputTokens: own.input_tokens, outputTokens: own.output_tokens, cacheReadTokens: own.cache_read_input_tokens,
          cacheWrite5mTokens: own.cache_creation_input_tokens, requests: 1,
        });
      }
      // Lines never counted: synthetic model, malformed middle line.
      if (rand() < 0.05)
        lines.push(JSON.stringify({ ...base, type: 'assistant', requestId: id('req'), timestamp: new Date(ts).toISOString(), message: { id: id('msg'), model: '<synthetic>', content: [], usage: { input_tokens: 0, output_tokens: 0 } } }));
      if (rand() < 0.02) lines.push('{"type":"assistant","message":{"usage":{"input_tokens":12');
    }
    // Some files end in a half-written line (the agent was writing when we read).
    const truncated = rand() < 0.2;
    if (truncated) lines.push(JSON.stringify({ ...base, type: 'assistant', requestId: id('req'), timestamp: new Date(ts).toISOString(), message: { id: id('msg'), model: models[0], usage: { input_tokens: 5, output_tokens: 5 } } }).slice(0, 60));
    const before = truth.bytes;
    if (cutAt > 0) cuts.push({ file, offset: Buffer.byteLength(lines.slice(0, cutAt).join('\n') + '\n') });
    if (truncated) write(file, lines, '');
    else write(file, lines);
    if (sub.length) write(path.join(path.dirname(file), sessionId, 'subagents', `agent-${sessionNo}.jsonl`), sub);
    claudeBytes += truth.bytes - before;
  }

  // ── Codex CLI ──
  const codexTarget = target - claudeTarget;
  let codexBytes = 0;
  let rollout = 0;
  /**
   * The last non-subagent rollout: its id, its token_count lines, and its history as a fork copies it (turn_context and
   * token_count lines in file order).
   */
  let parent: { uuid: string; events: string[]; hist: string[] } | undefined;
  const totalOf = (ev: string) => (JSON.parse(ev) as { payload: { info: { total_token_usage: Record<string, number> } } }).payload.info.total_token_usage;
  while (codexBytes < codexTarget) {
    rollout++;
    ts += int(60_000, 3_600_000);
    const d = new Date(ts);
    const y = d.getUTCFullYear();
    const mo = String(d.getUTCMonth() + 1).padStart(2, '0');
    const da = String(d.getUTCDate()).padStart(2, '0');
    const uuid = `0199${rollout.toString(16).padStart(4, '0')}-aaaa-bbbb-cccc-${rollout.toString(16).padStart(12, '0')}`;
    const name = `rollout-${y}-${mo}-${da}T08-00-00-${uuid}.jsonl`;
    const archived = rand() < 0.15;
    const file = archived ? path.join(codexHome, 'archived_sessions', name) : path.join(codexHome, 'sessions', String(y), mo, da, name);
    const subagent = rollout > 1 && rand() < P(0.1, 0.25);
    // A fork begins with a copy of its parent's history: `forked_from_id` with the copied timestamps rewritten to the
    // fork time or kept, or a branch copy without `forked_from_id` (original timestamps).
    const fork = !subagent && parent?.events.length && rand() < P(0.12, 0.5) ? pick(['rewritten', 'original', 'branch'] as const) : undefined;
    const noModel = !fork && rand() < 0.08;
    const model = pick(['gpt-5-codex', 'gpt-5', 'gpt-5.1-codex-max']);
    const cwd = pick(projects);
    const lines: string[] = [];
    const startTs = ts;
    lines.push(JSON.stringify({
      timestamp: new Date(ts).toISOString(), type: 'session_meta',
      payload: { id: uuid, cwd, cli_version: '0.60.1', instructions: text(2000), ...(subagent ? { source: { subagent: { thread_spawn: { parent_thread_id: 'p' } } } } : {}), ...(fork && fork !== 'branch' ? { forked_from_id: parent!.uuid } : {}) },
    }));
    const total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
    const events: string[] = [];
    const hist: string[] = [];
    // A subagent's first second replays the parent's last token counts (not counted): its own counters continue from
    // the replayed totals, and a first own event with totals only counts total − replayed.
    if (subagent && parent?.events.length) {
      for (const e of parent.events.slice(-5)) lines.push(e.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(startTs + 300).toISOString()}"`));
      Object.assign(total, totalOf(parent.events[parent.events.length - 1]!));
    }
    if (fork === 'rewritten') truth.shapes.forkRewritten++;
    else if (fork === 'original') truth.shapes.forkOriginal++;
    else if (fork === 'branch') truth.shapes.branchCopy++;
    if (fork) {
      // The copied history: counted in the parent, not again here; the fork's counters continue from it.
      for (const e of parent!.hist) {
        const c = fork === 'rewritten' ? e.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(startTs + 200).toISOString()}"`) : e;
        lines.push(c);
        hist.push(c);
        if (c.includes('"token_count"')) events.push(c);
      }
      Object.assign(total, totalOf(parent!.events[parent!.events.length - 1]!));
    }
    const ctx = JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'turn_context', payload: { cwd, approval_policy: 'on-request', model, effort: 'medium' } });
    if (!noModel) {
      lines.push(ctx);
      hist.push(ctx);
    }
    const turns = opts.dense ? int(2, 8) : int(3, 30);
    for (let t = 0; t < turns; t++) {
      ts += int(5_000, 120_000);
      lines.push(JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: text(int(50, 3000)) }] } }));
      const callId = `call_${id('')}`;
      lines.push(JSON.stringify({ timestamp: new Date(ts + 10).toISOString(), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', 'ls'] }), call_id: callId } }));
      lines.push(JSON.stringify({ timestamp: new Date(ts + 900).toISOString(), type: 'response_item', payload: { type: 'function_call_output', call_id: callId, output: text(opts.dense ? int(50, 500) : int(100, 8000)) } }));
      truth.byAgent.codex.toolCalls++;
      const input = int(1000, 80_000);
      const last = { input_tokens: input, cached_input_tokens: int(0, input), output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
      last.output_tokens = int(10, 5000);
      last.reasoning_output_tokens = int(0, last.output_tokens);
      last.total_tokens = last.input_tokens + last.output_tokens;
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += last[k];
      const at = ts + 1000;
      count('codex', at, {
        inputTokens: last.input_tokens - last.cached_input_tokens, cacheReadTokens: last.cached_input_tokens, outputTokens: last.output_tokens,
        reasoningTokens: last.reasoning_output_tokens, requests: 1,
      });
      if (noModel) truth.codexFallbackRequests++;
      const rl = { primary: { used_percent: int(0, 100), window_minutes: 300, resets_at: Math.floor(at / 1000) + 3600 }, secondary: { used_percent: int(0, 100), window_minutes: 10080, resets_at: Math.floor(at / 1000) + 86400 } };
      const cumulativeOnly = rand() < (subagent && t === 0 ? P(0.3, 0.6) : 0.3);
      if (subagent && t === 0 && cumulativeOnly && parent?.events.length) truth.shapes.subagentTotalsOnly++;
      const info = cumulativeOnly ? { total_token_usage: { ...total }, model_context_window: 272000 } : { total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272000 };
      const ev = JSON.stringify({ timestamp: new Date(at).toISOString(), type: 'event_msg', payload: { type: 'token_count', info, rate_limits: rl } });
      lines.push(ev);
      events.push(ev);
      hist.push(ev);
      // Codex repeats the last token_count (same totals) after other events: must not count twice.
      if (rand() < 0.2) lines.push(ev.replace(/"timestamp":"[^"]+"/, `"timestamp":"${new Date(at + 50).toISOString()}"`));
      if (rand() < 0.2) lines.push(JSON.stringify({ timestamp: new Date(at + 60).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: rl } }));
      if (rand() < 0.02) lines.push('{"timestamp":"2026-03-01T00:00:00Z","type":"event_msg","payload":{"type":"token_cou');
    }
    if (!subagent) parent = { uuid, events, hist };
    const truncated = rand() < 0.2;
    if (truncated) lines.push(JSON.stringify({ timestamp: new Date(ts).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: { input_tokens: 77, output_tokens: 7 } } } }).slice(0, 70));
    const before = truth.bytes;
    write(file, lines, truncated ? '' : '\n');
    codexBytes += truth.bytes - before;
  }
  return { claudeConfigDir, codexHome, truth, cuts };
}

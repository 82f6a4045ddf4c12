// The events of one scan batch in a compact form for the trip from the worker to the host (usageWorker.ts →
// scanner.ts). Posting the events as objects costs more than reading the logs did: the structured clone writes every
// property name of every object and the host rebuilds each object property by property (measured on a 300 MB corpus:
// ~0.6 s of the worker's ~2 s, and as much again on the host). Packed, a batch is one Float64Array of numbers and
// string indices, one array of the batch's distinct strings (a session id, a model, a working directory are sent once
// per batch, not once per event), and the events of any other shape as they are.
//
// Exactness: `unpackEvents(packEvents(x))` gives events equal to `x` (same kinds, fields, values; numbers are carried
// as float64, which holds every JS number exactly, -0 included). Only the shapes the log readers produce are packed,
// and only when an event has exactly the fields this codec knows (its own keys counted): anything else (a replaceable
// row, a record with tool calls or a request count, a field added to UsageRecord later) travels unchanged in `rest`,
// in its place in the order. Optional record fields come back after the fixed ones, in the order the readers write
// them (cwd after model; speed, costUSD, isFallbackModel last); nothing reads a record's key order.

import type { UsageEvent } from './events';
import type { AgentId, UsageRecord } from './types';

export interface PackedEvents {
  /** Per event: its code, then its fields (numbers, string indices into `strs`). */
  nums: Float64Array<ArrayBuffer>;
  strs: string[];
  /** Events of another shape, in order (code REST in `nums`). */
  rest: UsageEvent[];
  count: number;
}

const REST = 0;
const RECORD = 1;
const TOOL = 2;
const TOOL_RESULT = 3;
const TOOL_RESULT_ERROR = 4;

// Flags of a packed record event.
const R_CWD = 1;
const R_FAST = 2;
const R_COST = 4;
const R_FALLBACK_MODEL = 8;
const R_KEY = 16;
const R_CLAUDE = 32;
const R_SIDECHAIN = 64;
const R_CODEX = 128;
const R_FORK = 256;

/** Fields of a record every reader writes (the rest are optional). */
const RECORD_FIXED = 11;

/** The packer's working buffer, kept between batches (the result is a copy of its used part). */
let scratch = new Float64Array(1 << 14);

class Packer {
  nums = scratch;
  n = 0;
  readonly strs: string[] = [];
  readonly ids = new Map<string, number>();
  readonly rest: UsageEvent[] = [];

  push(v: number): void {
    if (this.n === this.nums.length) {
      const bigger = new Float64Array(this.nums.length * 2);
      bigger.set(this.nums);
      this.nums = scratch = bigger;
    }
    this.nums[this.n++] = v;
  }

  /** A string that repeats within a batch (agent, session, model, folder, tool name): sent once. */
  shared(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strs.length;
      this.strs.push(s);
      this.ids.set(s, i);
    }
    return i;
  }

  /** A string that is (almost) unique to its event (keys, ids). */
  own(s: string): number {
    this.strs.push(s);
    return this.strs.length - 1;
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number';

/** Own enumerable keys (Object.keys: a builtin call keeps the optimised packer small, and quick to compile). */
const keyCount = (o: object): number => Object.keys(o).length;

/** The record's flags when this codec carries it exactly, else -1. */
function recordFlags(r: UsageRecord): number {
  if (
    !isStr(r.agent) || !isNum(r.timestamp) || !isStr(r.sessionId) || !isStr(r.model) || !isNum(r.inputTokens) || !isNum(r.outputTokens) ||
    !isNum(r.cacheReadTokens) || !isNum(r.cacheWrite5mTokens) || !isNum(r.cacheWrite1hTokens) || !isNum(r.reasoningTokens) || !isNum(r.webSearchRequests)
  ) return -1;
  let f = 0;
  let n = RECORD_FIXED;
  if (r.cwd !== undefined) {
    if (!isStr(r.cwd)) return -1;
    f |= R_CWD;
    n++;
  }
  if (r.speed !== undefined) {
    if (r.speed !== 'fast') return -1;
    f |= R_FAST;
    n++;
  }
  if (r.costUSD !== undefined) {
    if (!isNum(r.costUSD)) return -1;
    f |= R_COST;
    n++;
  }
  if (r.isFallbackModel !== undefined) {
    if (r.isFallbackModel !== true) return -1;
    f |= R_FALLBACK_MODEL;
    n++;
  }
  return keyCount(r) === n ? f : -1;
}

function packRecord(p: Packer, e: Extract<UsageEvent, { kind: 'record' }>): boolean {
  if (e.replace !== undefined) return false;
  const r = e.record;
  let f = recordFlags(r);
  if (f < 0) return false;
  let n = 2;
  if (e.key !== undefined) {
    if (!isStr(e.key)) return false;
    f |= R_KEY;
    n++;
  }
  const c = e.claude;
  if (c !== undefined) {
    if (!isStr(c.messageId) || typeof c.sidechain !== 'boolean' || keyCount(c) !== 2) return false;
    f |= R_CLAUDE | (c.sidechain ? R_SIDECHAIN : 0);
    n++;
  }
  const x = e.codex;
  if (x !== undefined) {
    if (!isStr(x.series) || !isStr(x.total)) return false;
    let m = 2;
    if (x.forkOf !== undefined) {
      if (!isStr(x.forkOf)) return false;
      f |= R_FORK;
      m++;
    }
    if (keyCount(x) !== m) return false;
    f |= R_CODEX;
    n++;
  }
  if (keyCount(e) !== n) return false;
  p.push(RECORD);
  p.push(f);
  p.push(p.shared(r.agent));
  p.push(r.timestamp);
  p.push(p.shared(r.sessionId));
  p.push(p.shared(r.model));
  if (f & R_CWD) p.push(p.shared(r.cwd!));
  p.push(r.inputTokens);
  p.push(r.outputTokens);
  p.push(r.cacheReadTokens);
  p.push(r.cacheWrite5mTokens);
  p.push(r.cacheWrite1hTokens);
  p.push(r.reasoningTokens);
  p.push(r.webSearchRequests);
  if (f & R_COST) p.push(r.costUSD!);
  if (f & R_KEY) p.push(p.own(e.key!));
  if (f & R_CLAUDE) p.push(p.own(c!.messageId));
  if (f & R_CODEX) {
    p.push(p.shared(x!.series));
    p.push(p.own(x!.total));
    if (f & R_FORK) p.push(p.shared(x!.forkOf!));
  }
  return true;
}

function packTool(p: Packer, e: Extract<UsageEvent, { kind: 'tool' }>): boolean {
  const c = e.cell;
  if (!isStr(e.id) || !isStr(e.name) || !isNum(e.timestamp) || typeof c !== 'object' || c === null || keyCount(e) !== 5) return false;
  if (!isStr(c.agent) || !isStr(c.model) || !isStr(c.cwd) || !isStr(c.sessionId) || keyCount(c) !== 4) return false;
  p.push(TOOL);
  p.push(p.own(e.id));
  p.push(p.shared(e.name));
  p.push(e.timestamp);
  p.push(p.shared(c.agent));
  p.push(p.shared(c.model));
  p.push(p.shared(c.cwd));
  p.push(p.shared(c.sessionId));
  return true;
}

function packToolResult(p: Packer, e: Extract<UsageEvent, { kind: 'toolResult' }>): boolean {
  if (!isStr(e.id) || !isNum(e.timestamp)) return false;
  const err = e.error !== undefined;
  if (err && e.error !== true) return false;
  if (keyCount(e) !== (err ? 4 : 3)) return false;
  p.push(err ? TOOL_RESULT_ERROR : TOOL_RESULT);
  p.push(p.own(e.id));
  p.push(e.timestamp);
  return true;
}

export function packEvents(events: readonly UsageEvent[]): PackedEvents {
  const p = new Packer();
  for (const e of events) {
    const mark = p.n;
    const ok =
      typeof e === 'object' && e !== null &&
      (e.kind === 'record' ? typeof e.record === 'object' && e.record !== null && packRecord(p, e) : e.kind === 'tool' ? packTool(p, e) : e.kind === 'toolResult' ? packToolResult(p, e) : false);
    if (!ok) {
      // Nothing of a half-packed event stays (its strings, if any, are simply unused).
      p.n = mark;
      p.push(REST);
      p.rest.push(e);
    }
  }
  return { nums: p.nums.slice(0, p.n), strs: p.strs, rest: p.rest, count: events.length };
}

export function unpackEvents(packed: PackedEvents): UsageEvent[] {
  const { nums, strs, rest } = packed;
  const out: UsageEvent[] = new Array<UsageEvent>(packed.count);
  let i = 0;
  let r = 0;
  for (let k = 0; k < packed.count; k++) {
    const code = nums[i++]!;
    if (code === RECORD) {
      const f = nums[i++]!;
      const agent = strs[nums[i++]!]! as AgentId;
      const timestamp = nums[i++]!;
      const sessionId = strs[nums[i++]!]!;
      const model = strs[nums[i++]!]!;
      let record: UsageRecord;
      if (f & R_CWD) {
        const cwd = strs[nums[i++]!]!;
        record = {
          agent, timestamp, sessionId, model, cwd, inputTokens: nums[i]!, outputTokens: nums[i + 1]!, cacheReadTokens: nums[i + 2]!, cacheWrite5mTokens: nums[i + 3]!,
          cacheWrite1hTokens: nums[i + 4]!, reasoningTokens: nums[i + 5]!, webSearchRequests: nums[i + 6]!,
        };
      } else {
        record = {
          agent, timestamp, sessionId, model, inputTokens: nums[i]!, outputTokens: nums[i + 1]!, cacheReadTokens: nums[i + 2]!, cacheWrite5mTokens: nums[i + 3]!,
          cacheWrite1hTokens: nums[i + 4]!, reasoningTokens: nums[i + 5]!, webSearchRequests: nums[i + 6]!,
        };
      }
      i += 7;
      if (f & R_FAST) record.speed = 'fast';
      if (f & R_COST) record.costUSD = nums[i++]!;
      if (f & R_FALLBACK_MODEL) record.isFallbackModel = true;
      const e: Extract<UsageEvent, { kind: 'record' }> = { kind: 'record', record };
      if (f & R_KEY) e.key = strs[nums[i++]!]!;
      if (f & R_CLAUDE) e.claude = { messageId: strs[nums[i++]!]!, sidechain: (f & R_SIDECHAIN) !== 0 };
      if (f & R_CODEX) {
        const series = strs[nums[i++]!]!;
        const total = strs[nums[i++]!]!;
        e.codex = f & R_FORK ? { series, total, forkOf: strs[nums[i++]!]! } : { series, total };
      }
      out[k] = e;
    } else if (code === TOOL) {
      const id = strs[nums[i]!]!;
      const name = strs[nums[i + 1]!]!;
      const timestamp = nums[i + 2]!;
      out[k] = { kind: 'tool', id, name, timestamp, cell: { agent: strs[nums[i + 3]!]! as AgentId, model: strs[nums[i + 4]!]!, cwd: strs[nums[i + 5]!]!, sessionId: strs[nums[i + 6]!]! } };
      i += 7;
    } else if (code === TOOL_RESULT || code === TOOL_RESULT_ERROR) {
      const id = strs[nums[i]!]!;
      const timestamp = nums[i + 1]!;
      i += 2;
      out[k] = code === TOOL_RESULT_ERROR ? { kind: 'toolResult', id, timestamp, error: true } : { kind: 'toolResult', id, timestamp };
    } else if (code === REST) {
      out[k] = rest[r++]!;
    } else throw new Error(`bad packed event code ${code}`);
  }
  if (i !== nums.length || r !== rest.length) throw new Error('packed events do not add up');
  return out;
}

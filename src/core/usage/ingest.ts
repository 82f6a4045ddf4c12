// Operations reported by other extensions through tokstat's exported API (`recordOperation`), validated and turned
// into UsageRecords of agent `api` so they join the dashboard and the totals. Pure: no I/O, no clock of its own.
//
// The caller is untrusted and must never be harmed: validation never throws (garbage, cyclic objects, getters that
// throw, huge strings), only reads the known fields, and is cheap (no JSON.stringify of the input).
import * as z from 'zod/mini';
import type { UsageRecord } from './types';

export interface OperationInput {
  operation: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUSD?: number | null;
  durationMs?: number;
  toolCalls?: Array<{ name: string; durationMs?: number; error?: string }>;
  error?: string;
  /** Epoch ms; default now. */
  timestamp?: number;
  /**
   * The calling extension's id (e.g. `publisher.name`). Optional; operations are rate-limited per source, and those
   * without one share the bucket of anonymous callers (VS Code does not tell an extension who called its exports).
   */
  source?: string;
}

export type RecordResult = { ok: true } | { ok: false; error: string };

export const INGEST_LIMITS = {
  nameChars: 128,
  modelChars: 256,
  errorChars: 1000,
  toolCalls: 200,
  tokens: 1e9,
  costUSD: 1e5,
  durationMs: 7 * 86_400_000,
  /** Serialised size (UTF-8 bytes of its JSON line) of the accepted record. */
  payloadBytes: 32 * 1024,
  /** How far a timestamp may be in the future / the past. */
  futureMs: 86_400_000,
  pastMs: 366 * 86_400_000,
} as const;

const L = INGEST_LIMITS;
const name = (max: number) => z.string().check(z.minLength(1, 'must be a non-empty string'), z.maxLength(max, `must be at most ${max} characters`));
const count = z.number().check(z.int('must be an integer'), z.gte(0, 'must be ≥ 0'), z.lte(L.tokens, `must be ≤ ${L.tokens}`));
const ms = z.number().check(z.gte(0, 'must be ≥ 0'), z.lte(L.durationMs, `must be ≤ ${L.durationMs}`));

const toolCall = z.object({
  name: name(L.nameChars),
  durationMs: z.optional(ms),
  error: z.optional(z.string().check(z.maxLength(L.errorChars, `must be at most ${L.errorChars} characters`))),
});

export const operationSchema = z.object({
  operation: name(L.nameChars),
  provider: name(L.nameChars),
  model: name(L.modelChars),
  inputTokens: count,
  outputTokens: count,
  costUSD: z.optional(z.nullable(z.number().check(z.gte(0, 'must be ≥ 0'), z.lte(L.costUSD, `must be ≤ ${L.costUSD}`)))),
  durationMs: z.optional(ms),
  toolCalls: z.optional(z.array(toolCall).check(z.maxLength(L.toolCalls, `at most ${L.toolCalls} tool calls`))),
  error: z.optional(z.string().check(z.maxLength(L.errorChars, `must be at most ${L.errorChars} characters`))),
  timestamp: z.optional(z.number().check(z.gte(0, 'must be ≥ 0'))),
  source: z.optional(name(L.nameChars)),
});

/** What is stored per operation (one JSON line): the UsageRecord plus the API-only fields. */
export interface ApiUsageRecord extends UsageRecord {
  agent: 'api';
  /** Provider as reported (the model id is kept as given; pricing normalises it). */
  provider: string;
  operation: string;
  durationMs?: number;
  error?: string;
  /** Unique per accepted operation (set by ApiUsageLog): a batch retried after a partial write is read back once. */
  id?: string;
}

function pathOf(p: readonly PropertyKey[]): string {
  return p.length ? p.map((x) => (typeof x === 'number' ? `[${x}]` : String(x))).join('.').replace(/\.\[/g, '[') : 'operation';
}

/** Validates and converts; never throws. */
export function toApiRecord(input: unknown, now: number): { ok: true; record: ApiUsageRecord } | { ok: false; error: string } {
  try {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, error: 'operation: expected an object' };
    const p = operationSchema.safeParse(input);
    if (!p.success) {
      const issue = p.error.issues[0];
      const where = issue ? pathOf(issue.path) : 'operation';
      const what = issue?.message ?? 'invalid';
      return { ok: false, error: `${where}: ${what}` };
    }
    const op = p.data;
    const ts = op.timestamp ?? now;
    if (ts > now + L.futureMs) return { ok: false, error: 'timestamp: more than a day in the future (expected epoch milliseconds)' };
    if (ts < now - L.pastMs) return { ok: false, error: 'timestamp: more than a year in the past (expected epoch milliseconds)' };
    const record: ApiUsageRecord = {
      agent: 'api',
      timestamp: ts,
      // Operations group like sessions in the dashboard: one per provider × operation.
      sessionId: `${op.provider}:${op.operation}`,
      model: op.model,
      provider: op.provider,
      operation: op.operation,
      inputTokens: op.inputTokens,
      outputTokens: op.outputTokens,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      webSearchRequests: 0,
    };
    if (op.costUSD !== undefined && op.costUSD !== null) record.costUSD = op.costUSD;
    if (op.durationMs !== undefined) record.durationMs = op.durationMs;
    if (op.error !== undefined) record.error = op.error;
    if (op.toolCalls && op.toolCalls.length) {
      record.tools = op.toolCalls.map((t) => {
        const c: { name: string; durationMs?: number; error?: boolean } = { name: t.name };
        if (t.durationMs !== undefined) c.durationMs = t.durationMs;
        if (t.error !== undefined) c.error = true;
        return c;
      });
    }
    // The parsed object holds only known, bounded fields, so this cannot hit a cycle and stays small.
    const size = Buffer.byteLength(JSON.stringify(record), 'utf8');
    if (size > L.payloadBytes) return { ok: false, error: `operation: too large (${size} bytes, at most ${L.payloadBytes})` };
    return { ok: true, record };
  } catch (e) {
    // Getters that throw, proxies, exotic objects: the caller gets an answer, not an exception.
    return { ok: false, error: `operation: unreadable (${e instanceof Error ? e.name : typeof e})` };
  }
}

/** Parses a stored line back; undefined for a corrupt or foreign line (files are appended and may end mid-line). */
export function parseApiLine(line: string): ApiUsageRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as Partial<ApiUsageRecord>;
    if (v.agent !== 'api' || typeof v.timestamp !== 'number' || typeof v.model !== 'string' || typeof v.inputTokens !== 'number' || typeof v.outputTokens !== 'number') return undefined;
    return v as ApiUsageRecord;
  } catch {
    return undefined;
  }
}

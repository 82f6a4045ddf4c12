// Line parsers of the agents' local logs (provider-apis.md §8). Pure functions of (line, per-file state): they never
// touch the file system, so the incremental reader can feed them any slice of a file and the worker and the in-process
// fallback produce identical events. One file per agent format (claude.ts, codex.ts, gemini.ts, opencode.ts, copilot.ts) over
// shared.ts; adding a format is one new file, exported here and read by scanJob.ts.

import type { UsageEvent } from '../events';
import { claudeRelevantBytes, claudeRelevantLineBytes, type ClaudeFileState } from './claude';
import { codexLineBytes, type CodexFileState } from './codex';

export { LOG_LIMITS, LineOutcome, parseJsonObject, parseObjectKeeping } from './shared';
export * from './claude';
export * from './codex';
export * from './gemini';
export * from './opencode';
export * from './copilot';

/**
 * Runs the byte readers over a few synthetic lines of each shape, so that a fresh worker's first real scan does not
 * parse in the interpreter (a watcher-triggered rescan of a 1 MB append takes ~5× longer on cold code). Pure: the
 * events are thrown away. A few ms, off the extension host's thread.
 */
export function warmUp(rounds = 10): void {
  const text = (n: number) => 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) {
    const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const base = { sessionId: 'warm', cwd: '/warm', version: '2.1.0', userType: 'external', gitBranch: 'main', uuid: `u${i}` };
    lines.push(JSON.stringify({ ...base, type: 'user', timestamp: ts, message: { role: 'user', content: text(200) } }));
    lines.push(JSON.stringify({
      ...base, type: 'assistant', requestId: `req_warm${i}`, timestamp: ts,
      message: {
        id: `msg_warm${i}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: text(100) }, { type: 'tool_use', id: `toolu_warm${i}`, name: 'Read', input: { file_path: '/warm/a.ts' } }],
        stop_reason: 'tool_use', usage: { input_tokens: 3, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 }, service_tier: 'standard' },
      },
    }));
    lines.push(JSON.stringify({ ...base, type: 'user', timestamp: ts, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_warm${i}`, content: text(4000) + '\n\t"q"' }] }, toolUseResult: { stdout: text(300), exitCode: 0 } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'turn_context', payload: { cwd: '/warm', model: 'gpt-5', approval_policy: 'never' } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: `call_warm${i}` } }));
    lines.push(JSON.stringify({ timestamp: ts, type: 'response_item', payload: { type: 'function_call_output', call_id: `call_warm${i}`, output: text(3000) } }));
    const u = { input_tokens: 100 + i, cached_input_tokens: 50, output_tokens: 10, reasoning_output_tokens: 5, total_tokens: 110 + i };
    lines.push(JSON.stringify({ timestamp: ts, type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: u, last_token_usage: u, model_context_window: 272000 }, rate_limits: { primary: { used_percent: 1.5, window_minutes: 300, resets_in_seconds: 100 } } } }));
  }
  const b = Buffer.from(lines.join('\n') + '\n');
  const ends: number[] = [];
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) ends.push(i);
  for (let r = 0; r < rounds; r++) {
    const out: UsageEvent[] = [];
    const claude: ClaudeFileState = { fileSessionId: 'warm' };
    const codex: CodexFileState = { fileKey: 'warm', home: '', sessionId: 'warm' };
    let s = 0;
    for (const e of ends) {
      if (b[s] === 123 && b[s + 2] === 116) codexLineBytes(b, s, e, s, codex, out);
      else if (claudeRelevantBytes(b, s, e)) claudeRelevantLineBytes(b, s, e, claude, out);
      s = e + 1;
    }
  }
}

// What the readers hand to the ledger. Readers are stateless between calls except for the small, JSON-serialisable
// per-file continuation they return; all cross-file dedup (Claude message ids, tool ids, replaceable rows) happens in
// the ledger, so readers can run in a worker thread and the ledger on the host.

import type { AgentId, UsageRecord } from './types';

/** The aggregate cell an event belongs to (without the day, which is derived from the timestamp). */
export interface CellRef {
  agent: AgentId;
  model: string;
  cwd: string;
  sessionId: string;
}

export type UsageEvent =
  | {
      kind: 'record';
      record: UsageRecord;
      /** Counted once per key; undefined for events whose uniqueness the file cursor already guarantees (Codex). */
      key?: string;
      /**
       * Replace semantics: a later event with the same key replaces the earlier one (Gemini ids, opencode rows).
       * A lower priority never replaces a higher one (opencode DB rows = 2 beat legacy JSON files = 1).
       */
      replace?: { priority: number };
      /**
       * Claude: lets the ledger drop sidechain replays in favour of the parent request. The key names one API
       * response, written as several lines while it streams: the ledger keeps the most complete line per key (largest
       * output, on a tie the later line), bucketed by the first line's timestamp. The key and the message id are
       * hashKey()'s hashes, made by the reader (in the scan worker) rather than by the ledger on the host.
       */
      claude?: { messageId: string; sidechain: boolean };
      /**
       * Codex token-count events with cumulative totals: `series` (the session id) and `total` (the totals as text)
       * place the event in its session's cumulative series; `forkOf` (session_meta.forked_from_id) makes an event
       * whose totals are in the parent's series a copied one (counted with the parent, whatever its timestamp).
       */
      codex?: { series: string; total: string; forkOf?: string };
    }
  | {
      kind: 'tool';
      /** Unique tool-call id (Claude `toolu_…`, Codex `call_…`); counted once. */
      id: string;
      name: string;
      timestamp: number;
      cell: CellRef;
    }
  | {
      kind: 'toolResult';
      id: string;
      timestamp: number;
      error?: boolean;
    };

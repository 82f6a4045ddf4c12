// The test hooks the extension exposes on its API object when TOKSTAT_TEST_HOOKS=1 (activate() returns
// `{ ..., testing }`). This file is the contract the extension-host suite is written against; tests that need
// a hook the running build lacks skip with a message naming it, so the tier stays runnable while it lands.
import * as vscode from 'vscode';
import type { TestingApi, TreeRow } from '../../src/testing';

export type { TreeRow };

export const EXTENSION_ID = 'tokstat.tokstat';

/**
 * The hooks: the extension's own TestingApi (src/testing.ts, so drift breaks the compile) plus hooks this
 * suite has asked for and that may not have landed yet — tests needing those skip, naming them.
 */
export type TokstatTestingHooks = TestingApi & {
  /** Renames through the accounts store (as the Rename Account command's last step). */
  renameAccount(accountId: string, name: string): Promise<void>;
  /** Every key/value the extension keeps in globalState, to prove no credential is there. */
  globalStateDump(): Record<string, unknown>;
};

export interface TokstatApi {
  testing?: Partial<TokstatTestingHooks>;
}

/** Marks the current test (or, from a hook, its suite) as skipped with a reason that reaches the report. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  // In a hook, ctx.test is the hook itself: the reason then belongs to every test of its suite.
  const runnable = ctx.test;
  if (runnable) {
    const isHook = (runnable as { type?: string }).type === 'hook';
    const target = isHook ? runnable.parent : runnable;
    if (target) (target as { skipReason?: string }).skipReason = reason;
  }
  ctx.skip();
}

export async function activateTokstat(): Promise<TokstatApi> {
  const ext = vscode.extensions.getExtension<TokstatApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this extension host`);
  return (await ext.activate()) ?? {};
}

/**
 * The hooks, or a skip naming the missing ones. Call from a test or a before() hook:
 * `const t = await requireHooks(this, 'addAccount', 'readSecret')`.
 */
export async function requireHooks<K extends keyof TokstatTestingHooks>(
  ctx: Mocha.Context,
  ...names: K[]
): Promise<Pick<TokstatTestingHooks, K>> {
  const api = await activateTokstat();
  if (!api.testing) skipBecause(ctx, 'extension API has no `testing` hooks (TOKSTAT_TEST_HOOKS=1 not honoured yet)');
  const missing = names.filter((n) => api.testing![n] === undefined);
  if (missing.length) skipBecause(ctx, `testing hooks missing: ${missing.join(', ')}`);
  return api.testing as Pick<TokstatTestingHooks, K>;
}

/** Polls until `fn` returns a truthy value (state, never a blind sleep); throws the last value's description. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Depth-first search of a tree snapshot by a path of labels. */
export function findNode(nodes: readonly TreeRow[], ...labels: string[]): TreeRow | undefined {
  let level = nodes;
  let found: TreeRow | undefined;
  for (const l of labels) {
    found = level.find((n) => n.label === l);
    if (!found) return undefined;
    level = found.children;
  }
  return found;
}

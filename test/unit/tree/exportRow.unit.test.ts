// The team export's one visible state in the accounts tree (#23): a single "Export failing since …" row while the
// export fails, none otherwise; the label goes through vscode.l10n.t and the date is in VS Code's display language.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportState } from '../../../src/core/export/runner';
import { formatMoment } from '../../../src/shared/format';
import { TestEmitter } from '../../support/emitter';
import { FakeClock } from '../../fakes/fakeClock';
import { treeFakes, withVscodeStub } from '../../support/vscodeStub';

const asked: string[] = [];
const env = { language: 'de-DE' };
const fakeVscode = {
  EventEmitter: TestEmitter,
  ...treeFakes,
  env,
  l10n: {
    t: (message: string, ...args: unknown[]) => {
      asked.push(message);
      return message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
    },
  },
};

const { AccountsTreeProvider, ExportNode } = withVscodeStub(fakeVscode, () => {
  const { AccountsTreeProvider } = require('../../../src/ui/tree/accountsTree') as typeof import('../../../src/ui/tree/accountsTree');
  const { ExportNode } = require('../../../src/ui/tree/nodes') as typeof import('../../../src/ui/tree/nodes');
  return { AccountsTreeProvider, ExportNode };
});

const trees: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.dispose();
  asked.length = 0;
  env.language = 'de-DE';
});

const SINCE = Date.UTC(2026, 10, 2, 9, 5);
const failing: ExportState = { status: 'failing', target: 'otlp', url: 'https://collector.example/v1/metrics', failingSince: SINCE, lastError: 'HTTP 503', dropped: 1234, queued: 20, queuedBytes: 4096 };

const clock = new FakeClock(SINCE);

function open(state: () => ExportState | undefined) {
  const model = { entries: () => [], entry: () => undefined, onDidChange: new TestEmitter<string | undefined>().event };
  const changed = new TestEmitter<void>();
  const tree = new AccountsTreeProvider(model as never, () => ({ warning: 80, error: 95 }), undefined, undefined, clock, { state, onDidChange: changed.event });
  trees.push(tree);
  return tree;
}

test('one "Export failing since …" row while the export fails, none when it is ok, pending, standing by or off', () => {
  let state: ExportState | undefined = failing;
  const tree = open(() => state);
  const roots = tree.getChildren();
  assert.equal(roots.filter((r) => r instanceof ExportNode).length, 1);
  assert.ok(roots[0] instanceof ExportNode, 'at the top');
  for (const s of [{ ...failing, status: 'ok' as const }, { ...failing, status: 'pending' as const }, { ...failing, status: 'standby' as const }, undefined]) {
    state = s;
    tree.refresh();
    clock.advance(50); // the rows change with the tree's (debounced) change event
    assert.equal(tree.getChildren().filter((r) => r instanceof ExportNode).length, 0, `no row when ${s?.status ?? 'off'}`);
  }
});

test('the row is localized: the label through vscode.l10n.t, the date in the display language', () => {
  const now = SINCE + 26 * 3_600_000; // the next day: the date is part of it
  const de = new ExportNode(failing, now).toTreeItem();
  const deDate = formatMoment(SINCE, now, 'de-DE');
  assert.equal(de.label, `Export failing since ${deDate}`);
  assert.match(deDate, /02\.11\.2026/, `German date: ${deDate}`);
  assert.ok(asked.includes('Export failing since {0}'), 'the label went through vscode.l10n.t');
  assert.equal(de.description, 'HTTP 503');
  assert.match(String(de.tooltip), /collector\.example/);
  assert.match(String(de.tooltip), /1,234 exports dropped/);

  env.language = 'en-US';
  const en = new ExportNode(failing, now).toTreeItem();
  assert.match(String(en.label), /^Export failing since Nov 2, 2026/);

  const sameDay = new ExportNode(failing, SINCE + 60_000).toTreeItem();
  assert.equal(sameDay.label, `Export failing since ${formatMoment(SINCE, SINCE + 60_000, 'en-US')}`);
  assert.doesNotMatch(String(sameDay.label), /2026/, 'today: the time alone');
});

test('formatMoment falls back to the default locale for a language tag Intl refuses', () => {
  assert.equal(formatMoment(SINCE, SINCE, 'not a locale!'), formatMoment(SINCE, SINCE, undefined));
});

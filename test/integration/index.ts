// Entry point of the extension-host tier, loaded by VS Code as `extensionTestsPath` (code-server's `payload`
// in scripts/run-exthost.js, or @vscode/test-electron in scripts/run-electron.js). Runs every
// out/test/integration/**/*.integration.test.js with mocha inside the extension host, where the real `vscode`
// API is available. The host's console does not reach the runner, so the results are written to the folder
// named by TOKSTAT_TEST_REPORT_DIR: report.txt (one line per test, failures with stacks) and summary.json.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SuiteSummary {
  passed: number;
  failed: number;
  pending: number;
  /** Set when the suite could not be loaded or run at all. */
  error?: string;
  failures: Array<{ title: string; error: string }>;
  durationMs: number;
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.integration.test.js')) out.push(p);
  }
  return out.sort();
}

export function run(): Promise<void> {
  const started = Date.now();
  const reportDir = process.env.TOKSTAT_TEST_REPORT_DIR || path.resolve(__dirname, '..', '..', '..', 'test-results', 'extension-host-report');
  fs.mkdirSync(reportDir, { recursive: true });
  const reportFile = path.join(reportDir, 'report.txt');
  fs.writeFileSync(reportFile, '');
  // Appended line by line so that a hang still leaves the tests that finished.
  const line = (s: string) => fs.appendFileSync(reportFile, `${s}\n`);
  const summary: SuiteSummary = { passed: 0, failed: 0, pending: 0, failures: [], durationMs: 0 };
  const writeSummary = () => {
    summary.durationMs = Date.now() - started;
    fs.writeFileSync(path.join(reportDir, 'summary.json'), JSON.stringify(summary, null, 2));
  };

  return new Promise<void>((resolve, reject) => {
    const fail = (msg: string) => {
      summary.error = msg;
      line(`ERROR ${msg}`);
      writeSummary();
      reject(new Error(msg));
    };
    let Mocha: typeof import('mocha');
    try {
      Mocha = require('mocha');
    } catch (e) {
      return fail(`cannot load mocha: ${(e as Error).message}`);
    }
    const grep = process.env.TOKSTAT_TEST_GREP;
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: class {} as never, ...(grep ? { grep } : {}) });
    const files = findTests(__dirname);
    if (files.length === 0) return fail(`no *.integration.test.js under ${__dirname}`);
    for (const f of files) mocha.addFile(f);
    let runner: Mocha.Runner;
    try {
      // Loading is synchronous: a test module that is missing or throws on import fails here, at once.
      runner = mocha.run((failures: number) => {
        line(`\n${summary.passed} passing, ${summary.failed} failing, ${summary.pending} pending (${Date.now() - started} ms)`);
        writeSummary();
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      return fail(`loading the suite failed: ${(e as Error).stack ?? e}`);
    }
    const titleOf = (t: Mocha.Runnable) => t.titlePath().join(' › ');
    runner.on('suite', (s: Mocha.Suite) => {
      if (s.title) line(`${'  '.repeat(Math.max(0, s.titlePath().length - 1))}${s.title}`);
    });
    runner.on('pass', (t: Mocha.Test) => {
      summary.passed++;
      line(`  ✓ ${titleOf(t)} (${t.duration ?? 0} ms)`);
    });
    runner.on('pending', (t: Mocha.Test) => {
      summary.pending++;
      // skipBecause() in hooks.ts leaves the reason on the test or its suite.
      const reason = (t as { skipReason?: string }).skipReason ?? (t.parent as { skipReason?: string } | undefined)?.skipReason;
      line(`  - ${titleOf(t)} (skipped${reason ? `: ${reason}` : ''})`);
    });
    runner.on('fail', (t: Mocha.Runnable, err: Error) => {
      summary.failed++;
      const error = `${err?.message ?? err}\n${err?.stack ?? ''}`;
      summary.failures.push({ title: titleOf(t), error });
      line(`  ✗ ${titleOf(t)}\n${error.replace(/^/gm, '      ')}`);
    });
  });
}

// CONTRIBUTING.md's worked example of a provider is code a newcomer copies: it must compile against today's code
// (issue #17 found one that called a function with the wrong arity). The example is type-checked here as if it were
// src/core/providers/acme.ts, with the project's compiler options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..', '..');
const readme = fs.readFileSync(path.join(root, 'CONTRIBUTING.md'), 'utf8');

function example(): string {
  const m = /```ts\n(\/\/ src\/core\/providers\/acme\.ts\n[\s\S]*?)```/.exec(readme);
  assert.ok(m, "CONTRIBUTING.md has the provider example (a ```ts block starting with // src/core/providers/acme.ts)");
  return m[1]!;
}

/** The compiler's diagnostics for `source` placed at src/core/providers/acme.ts, with the project's options. */
function diagnosticsFor(source: string): string[] {
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, root);
  const file = path.join(root, 'src', 'core', 'providers', 'acme.ts');
  const options = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => (path.resolve(name) === file ? ts.createSourceFile(name, source, lang, true) : original(name, lang, onError, create));
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || exists(name);
  const program = ts.createProgram({ rootNames: [file], options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName) === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test("CONTRIBUTING.md's provider example type-checks against the code, as src/core/providers/acme.ts", () => {
  assert.deepEqual(diagnosticsFor(example()), [], 'the example compiles');
});

test('a broken example is caught (the check is not vacuous)', () => {
  const broken = example().replace("import { joinUrl } from '../endpoints';", "import { joinUrl } from '../endpoints';\nconst wrong: number = joinUrl('a');");
  assert.ok(diagnosticsFor(broken).length > 0, 'a wrong arity is reported');
});

test("the example declares how Add Account shows it and signs it in (signIn, pickerGroup): dropping either fails", () => {
  for (const field of ['signIn', 'pickerGroup']) {
    const line = new RegExp(`^  ${field}: .*\\n`, 'm');
    assert.match(example(), line, `the example sets ${field}`);
    const diagnostics = diagnosticsFor(example().replace(line, ''));
    assert.ok(diagnostics.some((d) => d.includes(field)), `without ${field} the compiler names it`);
  }
});

// CSV cells of "Export Usage History" (src/core/history/csv.ts): text a spreadsheet would run as a formula is
// neutralised, numbers stay numbers, separators and line breaks are quoted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvLine } from '../../../src/core/history/csv';

test('CSV: text starting with = + - @ tab or CR gets a leading quote mark; numbers stay numbers; separators are quoted', () => {
  assert.equal(csvField('=HYPERLINK("http://evil","x")'), `"'=HYPERLINK(""http://evil"",""x"")"`);
  assert.equal(csvField('@SUM(1+1)*cmd|" /C calc"!A0'), `"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('-2+3'), "'-2+3");
  assert.equal(csvField('\t=1'), "'\t=1");
  assert.equal(csvField('\r=1'), `"'\r=1"`);
  // A negative number is a number, not a formula.
  assert.equal(csvField(-12.5), '-12.5');
  assert.equal(csvField(0), '0');
  // Harmless text is left alone; commas, quotes and line breaks anywhere are quoted.
  assert.equal(csvField('model:gemini-2.5-pro'), 'model:gemini-2.5-pro');
  assert.equal(csvField('a=b'), 'a=b');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
  assert.equal(csvField(undefined), '');
  assert.equal(csvLine(['x', -1, undefined, '=1']), "x,-1,,'=1\r\n");
});

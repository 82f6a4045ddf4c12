// Every command declared in package.json is registered by activate(), and every registered tokstat.* command is
// declared (an undeclared one has no title in the palette and no place in menus).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateTokstat, EXTENSION_ID } from './hooks';

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
}

describe('commands', () => {
  let declared: CommandContribution[];

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded in the extension host`);
    declared = (ext.packageJSON?.contributes?.commands ?? []) as CommandContribution[];
    await activateTokstat();
  });

  it('package.json declares commands', () => {
    assert.ok(declared.length > 0, 'contributes.commands is empty');
  });

  it('every declared command is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
  });

  it('every registered tokstat.* command is declared', async () => {
    const ids = new Set(declared.map((c) => c.command));
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('tokstat.'));
    // Views register `<viewId>.focus`/`resetViewLocation`/… commands themselves; those are not ours to declare.
    const ours = registered.filter((id) => !/\.(focus|resetViewLocation|removeView|toggleVisibility|open)$/.test(id) || ids.has(id));
    const undeclared = ours.filter((id) => !ids.has(id));
    assert.deepEqual(undeclared, [], `registered but not declared in package.json: ${undeclared.join(', ')}`);
  });

  it('two Pins chosen before the first one is written both stay, in the order chosen', async () => {
    const pins = () => vscode.workspace.getConfiguration('tokstat').get<string[]>('statusBar.pins');
    assert.deepEqual(pins(), [], 'nothing pinned before');
    try {
      // Neither command awaits the other, as when a second pick is made while the first settings write is under way.
      await Promise.all([vscode.commands.executeCommand('tokstat.pinToStatusBar', 'one/five-hour'), vscode.commands.executeCommand('tokstat.pinToStatusBar', 'two/seven-day')]);
      assert.deepEqual(pins(), ['one/five-hour', 'two/seven-day']);
      await Promise.all([vscode.commands.executeCommand('tokstat.unpinStatusBar', 'one/five-hour'), vscode.commands.executeCommand('tokstat.pinToStatusBar', 'three/weekly')]);
      assert.deepEqual(pins(), ['two/seven-day', 'three/weekly']);
    } finally {
      await vscode.workspace.getConfiguration('tokstat').update('statusBar.pins', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the palette titles carry the tokstat prefix', () => {
    const bad = declared.filter((c) => !`${c.category ? `${c.category}: ` : ''}${c.title}`.startsWith('tokstat: '));
    assert.deepEqual(bad.map((c) => c.command), [], 'commands whose palette title does not start with "tokstat: "');
  });
});

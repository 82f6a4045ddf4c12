/**
 * Every command id in one place: each registration uses these (registerCommand(CommandIds.x, …)), and package.json
 * `contributes.commands` must list exactly these (test/unit/commands/commandIds.unit.test.ts checks both).
 */
export const CommandIds = {
  addAccount: 'tokstat.addAccount',
  removeAccount: 'tokstat.removeAccount',
  renameAccount: 'tokstat.renameAccount',
  refreshAccount: 'tokstat.refreshAccount',
  refreshAll: 'tokstat.refreshAll',
  signIn: 'tokstat.signIn',
  replaceKey: 'tokstat.replaceKey',
  openDashboard: 'tokstat.openDashboard',
  showLog: 'tokstat.showLog',
  copyValue: 'tokstat.copyValue',
  exportHistory: 'tokstat.exportHistory',
  installCli: 'tokstat.installCli',
  uninstallCli: 'tokstat.uninstallCli',
  addFoundSignIns: 'tokstat.addFoundSignIns',
  pinToStatusBar: 'tokstat.pinToStatusBar',
  unpinStatusBar: 'tokstat.unpinStatusBar',
  movePinLeft: 'tokstat.movePinLeft',
  movePinRight: 'tokstat.movePinRight',
  showSpend: 'tokstat.showSpend',
  exportSpend: 'tokstat.exportSpend',
  openWalkthrough: 'tokstat.openWalkthrough',
  deleteLocalData: 'tokstat.deleteLocalData',
  previewExport: 'tokstat.previewExport',
  setExportHeaders: 'tokstat.setExportHeaders',
  stopExporting: 'tokstat.stopExporting',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

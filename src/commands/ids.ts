/** Every command id in one place; package.json `contributes.commands` must list exactly these. */
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
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

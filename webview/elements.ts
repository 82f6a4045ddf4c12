// The @vscode-elements web components the dashboard uses, as a bundle of its own (dist/webview/elements.js) that
// main.ts loads after the first frame: the first paint never waits for Lit or these components. Until they are
// defined, the tags are unknown elements that paint their light DOM (label, icon) with the `:not(:defined)` styles in
// media/dashboard.css; defining them upgrades the elements in place.
// Only the per-component entry points the dashboard uses, so the bundle holds Lit and these, nothing else:
//   vscode-button        the toolbar's, the empty state's and the alerts' actions (data-action, as before)
//   vscode-badge         an account's state, on its card and in the overview strip
//   vscode-progress-ring a card's "refreshing" state, a chart's "Loading history…"
//   vscode-button-group  a chart's range selector (five vscode-buttons as toggle buttons; chart/template.ts)
//   vscode-table (+ header, body, row, header cell, cell) a chart's "Show as table", built when it is opened
// Not used, measured (chart/, docs/bench-dashboard.md): vscode-collapsible (its header has no button role or
// expanded state, Space does not toggle it; "Show as table" stays a <details>), vscode-radio / vscode-tabs /
// vscode-single-select for the range (a checkbox role, a tablist without panels, an unnamed combobox).
// Each sets its styles through adoptedStyleSheets (constructable stylesheets), which a `style-src` without
// 'unsafe-inline' does not restrict; vscode-icon (used by vscode-button's own icon slot, not by tokstat) would link the
// codicon stylesheet (id vscode-codicon-stylesheet) from `style-src ${cspSource}`, which the CSP already allows.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-button-group/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';

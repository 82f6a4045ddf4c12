// The CLI's commands, their options and help, parsed with node:util's parseArgs (no hand-written parser).
// Adding a command is one entry in COMMANDS: its options, its help text and its runner in main.ts.
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { AGENT_IDS } from '../shared/agents';

export class UsageError extends Error {}

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

/** Options every command takes. */
const COMMON: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  json: { type: 'boolean', short: 'j', description: 'print JSON (shape: docs/cli-json.md, "schemaVersion": 1)' },
  color: { type: 'boolean', description: 'colour even when not writing to a terminal (also FORCE_COLOR=1)' },
  'no-color': { type: 'boolean', description: 'no colour (also NO_COLOR=1)' },
  storage: { type: 'string', valueName: 'DIR', description: "tokstat's VS Code storage folder (default: found automatically; env TOKSTAT_STORAGE)" },
};

const RANGE: Record<string, OptionSpec> = {
  since: { type: 'string', short: 's', valueName: 'DATE', description: 'from this day (YYYY-MM-DD or YYYYMMDD)' },
  until: { type: 'string', short: 'u', valueName: 'DATE', description: 'up to this day, included' },
  offline: { type: 'boolean', short: 'O', description: 'do not download the LiteLLM price list (cached or bundled prices)' },
  compact: { type: 'boolean', short: 'c', description: 'fewer columns, for narrow terminals (automatic below 100 columns)' },
  'no-cache': { type: 'boolean', description: "read every log from the start, in memory: neither use nor update the CLI's usage index (its cache folder)" },
  verbose: { type: 'boolean', short: 'v', description: 'say on stderr how the logs were read: the usage index (off, cold, warm), files and bytes read, time' },
};

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  positionals?: { name: string; values: readonly string[]; default: string };
  options: Record<string, OptionSpec>;
  notes?: string;
}

export { AGENT_IDS };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'usage',
    summary: 'tokens and API-equivalent cost of your coding agents, from their local logs',
    usage: 'tokstat usage [daily|monthly|session|model] [options]',
    positionals: { name: 'report', values: ['daily', 'monthly', 'session', 'model'], default: 'daily' },
    options: {
      ...RANGE,
      agent: { type: 'string', short: 'a', valueName: 'LIST', description: `only these agents, comma-separated (${AGENT_IDS.join(', ')})` },
      breakdown: { type: 'boolean', short: 'b', description: 'a line per model under each row' },
      ...COMMON,
    },
    notes: 'Costs of models without a known price are shown as "unpriced", never as $0.',
  },
  {
    name: 'blocks',
    summary: "Claude Code's 5-hour billing blocks (a block starts at its first message, floored to the hour)",
    usage: 'tokstat blocks [options]',
    options: {
      ...RANGE,
      active: { type: 'boolean', description: 'only the block running now, with its projection to the end of the block' },
      breakdown: { type: 'boolean', short: 'b', description: 'a line per model under each block' },
      ...COMMON,
    },
  },
  {
    name: 'quota',
    summary: 'the quotas, balances and limits tokstat for VS Code last stored (the CLI never polls providers)',
    usage: 'tokstat quota [options]',
    options: { ...COMMON },
  },
  {
    name: 'guard',
    summary: 'exit 0 when there is headroom, 1 when not, 3 when it cannot tell: for CI jobs, git hooks and agent wrappers',
    usage: "tokstat guard [--account NAME|--provider ID] [--meter ID] [--min-remaining 10%|'$5'|N] [--max-cost-today '$X'] [--max-age 2h] [--json]",
    options: {
      account: { type: 'string', valueName: 'NAME', description: 'only this account (its name or id, case-insensitive)' },
      provider: { type: 'string', valueName: 'ID', description: 'only the accounts of this provider (copilot, openrouter, …)' },
      meter: { type: 'string', valueName: 'ID', description: 'only this meter (its id, as in `tokstat quota --json`); default: every meter with a limit or a remaining amount' },
      'min-remaining': { type: 'string', valueName: 'T', description: "headroom = at least this much left: 10% (of the limit), '$5' (money meters only, in their currency), 50 (units)" },
      'max-cost-today': { type: 'string', valueName: '$X', description: "headroom = today's API-equivalent cost (local day, from the extension's usage index) under $X" },
      'max-age': { type: 'string', valueName: 'AGE', description: 'figures older than this cannot tell: 30m, 2h, 1d (default 2h)' },
      ...COMMON,
    },
    notes: [
      'Answers from what tokstat for VS Code stored (snapshots, usage index); never polls, never reads the agents\' logs.',
      'Without --min-remaining a meter has headroom when it is not at or over its limit (remaining > 0, or under 100% used).',
      'With --max-cost-today alone only today\'s cost is checked; add --min-remaining or a selection to check meters too.',
      "Today's cost: at or over $X is no headroom even with unpriced requests; under $X with unpriced requests cannot tell.",
      'A meter whose figures are older than --max-age, or whose last refresh failed (error, auth-required), cannot tell.',
      'Exit codes: 0 every check has headroom; 1 some check has none (even if others cannot tell); 2 bad arguments;',
      '3 cannot tell (no storage, no matching account or meter, no usage index, stale or unknown figures).',
      'Prints one line saying why (account, meter, figures); --json: docs/cli-json.md. Quote $ in shells: \'$5\'.',
    ].join('\n'),
  },
  {
    name: 'statusline',
    summary: "Claude Code's status line: this session's cost, today's, the tightest plan window with its reset",
    usage: 'tokstat statusline   (Claude Code settings: "statusLine": {"type": "command", "command": "tokstat statusline"})',
    options: {
      'no-refresh': { type: 'boolean', description: "never start the background `tokstat usage` that keeps today's cost current" },
      ...COMMON,
    },
    notes: [
      'Reads the JSON Claude Code pipes on stdin (at most 256 KiB, 250 ms) and prints one line; answers from persisted data only:',
      "Claude Code's own figures (session cost, rate_limits), the snapshots tokstat for VS Code stored, and the freshest usage index",
      "(the CLI's or the extension's). Never the network. When that index is over 2 minutes old it starts one detached",
      '`tokstat usage` (at most every 2 minutes) so that the next line is current. Colour (yellow from 80 % of a window, red from',
      '95 %) unless NO_COLOR or --no-color. Exit code 0 whatever it could read; --json: docs/cli-json.md.',
    ].join('\n'),
  },
  {
    name: 'mcp',
    summary: 'a Model Context Protocol server on stdio for coding agents: quota_status, usage_summary, headroom (read-only)',
    usage: 'tokstat mcp [--storage DIR]',
    options: {
      storage: COMMON.storage!,
      help: COMMON.help!,
    },
    notes: [
      'Answers from what tokstat for VS Code stored (snapshots, meter history, usage index); never polls, never returns a secret.',
      'stdout carries the protocol; messages go to stderr. Register it with your agent, e.g.',
      '  claude mcp add tokstat -- tokstat mcp',
      '  ~/.codex/config.toml:  [mcp_servers.tokstat]  command = "tokstat"  args = ["mcp"]',
      '  .cursor/mcp.json:      {"mcpServers":{"tokstat":{"command":"tokstat","args":["mcp"]}}}',
      ].join('\n'),
    },
    {
    name: 'export',
    summary: "push this machine's quota and usage figures to an OpenTelemetry collector or a Prometheus Pushgateway",
    usage: 'tokstat export --once (--otlp URL | --pushgateway URL) [--user ID] [--team NAME] [options]',
    options: {
      once: { type: 'boolean', description: 'export once and exit (run it from cron, a systemd timer or a CI step)' },
      otlp: { type: 'string', valueName: 'URL', description: 'OTLP/HTTP endpoint: http://collector:4318 or a full …/v1/metrics URL (https except loopback)' },
      pushgateway: { type: 'string', valueName: 'URL', description: 'Prometheus Pushgateway address, e.g. http://pushgateway:9091' },
      protocol: { type: 'string', valueName: 'P', description: 'OTLP encoding: http/protobuf (default) or http/json (also OTEL_EXPORTER_OTLP_PROTOCOL)' },
      user: { type: 'string', valueName: 'ID', description: 'user id, exported as a salted hash (an e-mail always is)' },
      'no-hash-user': { type: 'boolean', description: 'export --user as written (not an e-mail)' },
      team: { type: 'string', valueName: 'NAME', description: 'team name: a resource attribute and the salt of the hashes' },
      instance: { type: 'string', valueName: 'ID', description: "this machine's id (default: a random id kept in tokstat's storage or cache)" },
      headers: { type: 'string', valueName: 'K=V,…', description: 'request headers, e.g. Authorization=Bearer%20… (also OTEL_EXPORTER_OTLP_HEADERS)' },
      'include-projects': { type: 'boolean', description: "add a project label (the agent's folder name, never its path) to tokens and cost" },
      'dry-run': { type: 'boolean', description: 'print exactly what would be sent (headers masked) and send nothing' },
      offline: RANGE.offline!,
      ...COMMON,
    },
    notes: [
      'Sends the quota snapshots tokstat for VS Code stored (--storage) and the local agents\' token and cost totals.',
      'Never sends a key, a prompt, a file path, an e-mail or an account name: accounts are salted hashes (README: Team export).',
      'OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE apply.',
      'Exit codes: 0 exported, 1 the export failed (the reason on stderr), 2 bad arguments.',
    ].join('\n'),
  },
];

export interface Parsed {
  command: CommandSpec;
  positional: string;
  values: Record<string, string | boolean | undefined>;
}

export type Invocation = { kind: 'help'; command?: CommandSpec } | { kind: 'version' } | { kind: 'run'; parsed: Parsed };

export function findCommand(name: string | undefined): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Reads argv: `--version`/`-v`, `help [command]`, `<command> --help`, or a command with its options. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'help' };
  if (first === '--version' || first === '-v' || first === '-V') return { kind: 'version' };
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === 'help') {
    if (rest[0] === undefined) return { kind: 'help' };
    const c = findCommand(rest[0]);
    if (!c) throw new UsageError(`unknown command "${rest[0]}" (${COMMANDS.map((x) => x.name).join(', ')})`);
    return { kind: 'help', command: c };
  }
  const command = findCommand(first);
  if (!command) throw new UsageError(`unknown command "${first}" (${COMMANDS.map((x) => x.name).join(', ')})`);
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    const options = Object.fromEntries(Object.entries(command.options).map(([k, { description: _d, valueName: _v, ...o }]) => [k, o]));
    parsed = nodeParseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's messages name the option: "Unknown option '--bogus'", "Option '--since <value>' argument missing".
    throw new UsageError(String(e instanceof Error ? e.message : e).replace(/\. To specify a positional argument.*$/s, ''));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: 'help', command };
  const pos = parsed.positionals;
  let positional = '';
  if (command.positionals) {
    positional = pos[0] ?? command.positionals.default;
    if (!command.positionals.values.includes(positional)) {
      throw new UsageError(`unknown ${command.positionals.name} "${positional}" (${command.positionals.values.join(', ')})`);
    }
    if (pos.length > 1) throw new UsageError(`unexpected argument "${pos[1]}"`);
  } else if (pos.length > 0) {
    throw new UsageError(`unexpected argument "${pos[0]}"`);
  }
  return { kind: 'run', parsed: { command, positional, values } };
}

/** `YYYY-MM-DD` or `YYYYMMDD` → `YYYY-MM-DD`, a real calendar day; else a UsageError naming the option. */
export function parseDay(option: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v.trim());
  const day = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  const d = m ? new Date(`${day}T00:00:00Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) throw new UsageError(`--${option} must be a date YYYY-MM-DD or YYYYMMDD, not "${v}"`);
  return day;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`, o.description] as const);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([l, d]) => `  ${l.padEnd(w)}  ${d}`);
}

export function helpText(command?: CommandSpec): string {
  if (command) {
    return [`tokstat ${command.name} — ${command.summary}`, '', `Usage: ${command.usage}`, '', 'Options:', ...optionLines(command.options), ...(command.notes ? ['', command.notes] : [])].join('\n');
  }
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "tokstat — AI usage from your local agent logs and tokstat's stored quota snapshots",
    '',
    'Usage: tokstat <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    '  tokstat <command> --help   the options of a command',
    '  tokstat --version          the version',
    '',
    'Exit codes: 0 ok, 1 runtime failure (including an agent folder variable such as CLAUDE_CONFIG_DIR that names',
    'no usable folder), 2 bad arguments; guard: 0 headroom, 1 no headroom, 3 cannot tell.',
  ].join('\n');
}

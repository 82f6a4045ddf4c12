// Which public status page speaks for which provider (provider-apis.md §12.1). Addresses are tried in order until one
// answers in a known shape (parse.ts tells the shape from the body). They are fixed here; the only way to change one
// is the user-only setting `tokstat.incidents.statusPages` (a workspace cannot point tokstat's requests elsewhere).
import { validateBaseUrl } from '../endpoints';

export interface StatusPage {
  /** Also the key in `tokstat.incidents.statusPages` and the name of the page's shared state file. */
  id: string;
  /** Who reports: "<source> reports: <incident>". */
  source: string;
  /** The page people read, linked when an incident has no address of its own. */
  home: string;
  /** Machine-readable addresses, best first. */
  feeds: readonly string[];
}

const statuspage = (home: string) => `${home}/api/v2/summary.json`;

export const STATUS_PAGES: Readonly<Record<string, StatusPage>> = {
  github: { id: 'github', source: 'GitHub', home: 'https://www.githubstatus.com', feeds: [statuspage('https://www.githubstatus.com')] },
  anthropic: { id: 'anthropic', source: 'Anthropic', home: 'https://status.claude.com', feeds: [statuspage('https://status.claude.com')] },
  // incident.io serves a Statuspage-compatible summary (used by CodexBar and aiwatch) and its own feed (UNDOCUMENTED).
  openai: {
    id: 'openai',
    source: 'OpenAI',
    home: 'https://status.openai.com',
    feeds: [statuspage('https://status.openai.com'), 'https://status.openai.com/proxy/status.openai.com'],
  },
  // UNVERIFIED platforms (§12.7): the likeliest address first, the feed after it.
  openrouter: { id: 'openrouter', source: 'OpenRouter', home: 'https://status.openrouter.ai', feeds: ['https://status.openrouter.ai/incidents.rss', statuspage('https://status.openrouter.ai')] },
  xai: { id: 'xai', source: 'xAI', home: 'https://status.x.ai', feeds: ['https://status.x.ai/feed.xml'] },
  deepseek: { id: 'deepseek', source: 'DeepSeek', home: 'https://status.deepseek.com', feeds: [statuspage('https://status.deepseek.com'), 'https://status.deepseek.com/history.rss'] },
  moonshot: { id: 'moonshot', source: 'Moonshot', home: 'https://status.moonshot.cn', feeds: [statuspage('https://status.moonshot.cn')] },
  cursor: { id: 'cursor', source: 'Cursor', home: 'https://status.cursor.com', feeds: [statuspage('https://status.cursor.com')] },
  huggingface: { id: 'huggingface', source: 'Hugging Face', home: 'https://status.huggingface.co', feeds: ['https://status.huggingface.co/feed'] },
  zai: { id: 'zai', source: 'Z.ai', home: 'https://status.z.ai', feeds: [statuspage('https://status.z.ai')] },
};

/** A provider's page and, where §12.5 names them, the components that concern its accounts. */
export interface ProviderStatusPage {
  page: StatusPage;
  components?: readonly string[];
}

const BY_PROVIDER: Readonly<Record<string, { page: string; components?: readonly string[] }>> = {
  copilot: { page: 'github', components: ['Copilot'] },
  claude: { page: 'anthropic', components: ['claude.ai', 'Claude Code'] },
  anthropic: { page: 'anthropic', components: ['Claude API', 'Claude API (api.anthropic.com)'] },
  openai: { page: 'openai' },
  codex: { page: 'openai' },
  openrouter: { page: 'openrouter' },
  xai: { page: 'xai' },
  deepseek: { page: 'deepseek' },
  moonshot: { page: 'moonshot' },
  'cursor-admin': { page: 'cursor' },
  huggingface: { page: 'huggingface' },
  zai: { page: 'zai' },
};

/**
 * The status page of a provider (undefined when it has no machine-readable one), with the user's override of its
 * address applied: `overrides[pageId]`, https or a loopback http address. An unusable override is ignored (and
 * reported through `onBadOverride`) rather than letting the default stand in silently for a test's fake.
 */
export function statusPageFor(
  providerId: string,
  overrides: Readonly<Record<string, unknown>> = {},
  onBadOverride?: (pageId: string, why: string) => void,
): ProviderStatusPage | undefined {
  const p = BY_PROVIDER[providerId];
  const page = p ? STATUS_PAGES[p.page] : undefined;
  if (!p || !page) return undefined;
  const o = overrides[page.id];
  let feeds = page.feeds;
  if (typeof o === 'string' && o.trim() !== '') {
    try {
      feeds = [validateBaseUrl(o, `tokstat.incidents.statusPages["${page.id}"]`)];
    } catch (e) {
      onBadOverride?.(page.id, e instanceof Error ? e.message : String(e));
    }
  }
  return { page: feeds === page.feeds ? page : { ...page, feeds }, ...(p.components ? { components: p.components } : {}) };
}

// Provider incidents (issue #20 §3) in a real VS Code: an OpenRouter account while OpenRouter's status page (a loopback
// fake in the Atlassian Statuspage shape, set through the user-only `tokstat.incidents.statusPages`) reports an
// incident. The tree shows the badge on the account and the incident as its first row; the dashboard card carries the
// badge; the status page is asked without any key. (Resolution, the 5-minute schedule, other windows and the
// malformed/huge pages are unit-tested on the fake clock: test/unit/incidents.)
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { orKey } from '../builders/openrouter';
import { OpenRouterFake } from '../fakes/openRouterFake';
import { StatusPageFake } from '../fakes/statusPageFake';
import { OPENROUTER_KEY } from '../fakes/secrets';
import * as cs from '../support/codeServer';
import { addOpenRouterAccount, card, expandRow, openTokstatView, rowText, runCommand, scenarioHooks, screenshots, treeRow, waitForStatus, waitUntil } from './support';

const NAME = 'or-incident';
const TITLE = 'Elevated error rates on the API';

describe('provider incidents (a fake status page reports an incident; the tree shows the badge)', function () {
  this.timeout(120_000);
  let or: OpenRouterFake;
  let status: StatusPageFake;
  let dirs: cs.RunDirs;
  let server: cs.CodeServer | undefined;
  let browser: cs.Browser | undefined;
  let page: Page;

  const shot = screenshots(() => page, () => dirs.base);

  before(async function () {
    this.timeout(180_000);
    or = new OpenRouterFake();
    await or.start();
    or.addKey(OPENROUTER_KEY, orKey({ label: NAME, usage: 40, usage_monthly: 40, limit_remaining: 60 }));
    status = new StatusPageFake();
    await status.start();
    status.incident = { title: TITLE, impact: 'major', status: 'investigating' };
    dirs = cs.makeRunDirs('incidents');
    ({ server, browser, page } = await cs.startScenario(dirs, {
      'tokstat.endpoints': { openrouter: or.baseUrl },
      'tokstat.incidents.enabled': true,
      'tokstat.incidents.statusPages': { openrouter: status.url + StatusPageFake.SUMMARY },
    }));
  });

  scenarioHooks(() => ({ dirs, server, browser, page }), async () => {
    await or?.stop();
    await status?.stop();
  });

  it('the affected account shows the incident badge and its title in the tree and on its dashboard card', async () => {
    await page.goto(cs.workbenchUrl(server!));
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, 'no accounts yet', (t) => /add account/i.test(t), 60_000);
    await addOpenRouterAccount(page, OPENROUTER_KEY, NAME);
    await waitForStatus(page, `${NAME} 40%`, (t) => t.includes(`${NAME} 40%`));
    await waitUntil('the status page was asked', () => status.requestsTo(StatusPageFake.SUMMARY).length > 0, 30_000);
    const asked = status.requestsTo(StatusPageFake.SUMMARY)[0]!;
    assert.equal(asked.headers.authorization, undefined, 'keyless');
    assert.ok(!JSON.stringify(asked.headers).includes(OPENROUTER_KEY), 'no key in any header');

    await openTokstatView(page);
    await expandRow(page, 'OpenRouter');
    await expandRow(page, NAME);
    const account = await waitUntil('the account row carries the badge', async () => {
      const t = await rowText(page, NAME);
      return /Incident/.test(t) ? t : false;
    }, 30_000);
    assert.match(account, /^or-incident ?Incident · 40%/, account);
    await waitUntil('the incident row', async () => (await treeRow(page, /^OpenRouter reports:/).count()) > 0);
    const incident = await rowText(page, /^OpenRouter reports:/);
    assert.match(incident, new RegExp(`OpenRouter reports: ${TITLE} ?major · investigating`), incident);
    assert.equal(await page.locator('[id="workbench.parts.sidebar"] .codicon-broadcast').count() >= 2, true, 'the broadcast badge on the account and the incident row');
    await shot('incident-tree');

    await runCommand(page, 'tokstat: Open Dashboard');
    const c = card(page, NAME);
    await c.waitFor({ state: 'visible', timeout: 30_000 });
    await c.locator('[data-testid="account-incident"]').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await c.locator('[data-testid="account-incident"]').innerText(), 'Incident');
    assert.match(await c.locator('[data-testid="account-incident-title"]').innerText(), new RegExp(`OpenRouter reports: ${TITLE}`));
    await shot('incident-dashboard');
  });
});

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import type { Feature } from '../../src/app/feature.js';
import { feedsFeature } from '../../src/app/feeds.js';
import { operationsFeature } from '../../src/app/operations.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { launchChromium } from '../helpers/browser.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { commitEffects } from '../helpers/outbox-fixtures.js';

const EU_CONSUMER = 'EU · consumer · agent';

describe('the readiness page in a real browser', () => {
  let t: CatalogTestContext;
  let app: App;
  let browser: Browser;
  let operator: BrowserContext;
  let base: string;

  beforeAll(async () => {
    t = await catalogTestContext({ EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent' });
    const features: Feature[] = [catalogFeature, feedsFeature];
    t.started.push(
      ...(await catalogFeature.startWorkers!(t.ctx)),
      ...(await feedsFeature.startWorkers!(t.ctx)),
    );
    // The demo catalog, evaluated by the real jobs before anyone looks.
    const evaluated = nextCompleted(t.events.evaluate);
    expect(await seedDemo(t.runtime, TENANT, t.ctx.clock.nowMs())).toBe(true);
    await evaluated;
    app = await buildApp(t.ctx, [
      ...features,
      operationsFeature(() => features, readinessSourcesOf),
    ]);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    operator = await browser.newContext({
      httpCredentials: { username: 'operator', password: DEMO_OPERATOR_TOKEN },
    });
  });
  afterAll(async () => {
    await operator?.close();
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  it('shows the Travel Backpack as partially ready, with its blockers and the work to do', async () => {
    const page = await operator.newPage();
    const notFound: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}`);
    await expect(page.locator('h1').textContent()).resolves.toContain(`tenant ${TENANT}`);
    const summary = page.locator('#summary tbody tr', { hasText: EU_CONSUMER });
    // The demo shows every state in the default context: 3 ready, 2 partially ready, 1 blocked.
    await expect(summary.locator('td').allTextContents()).resolves.toEqual([
      EU_CONSUMER,
      '3',
      '2',
      '1',
      '0',
    ]);

    // One row per product, a column per context: the EU consumer column comes first.
    const headers = await page.locator('#products thead th').allTextContents();
    expect(headers).toEqual(['Product', EU_CONSUMER, 'US · consumer · agent']);
    const row = page.locator('#products tbody tr', { hasText: 'BAG-TRAVEL-42' });
    await expect(row.count()).resolves.toBe(1);
    const euCell = row.locator('td').first();
    await expect(euCell.locator('.badge').textContent()).resolves.toBe('Partially ready');
    await expect(euCell.textContent()).resolves.toContain('RETURN_POLICY_MISSING');
    await expect(row.locator('td').nth(1).textContent()).resolves.toContain(
      'SHIPPING_POLICY_MISSING',
    );

    // Nothing the page loads is missing, its icon included.
    expect(notFound).toEqual([]);
    await euCell.getByRole('link').click();
    await page.waitForSelector('#product-detail');
    await expect(page.locator('#readiness').textContent()).resolves.toBe('Partially ready');
    const allowed = await page.locator('#allowed li').allTextContents();
    expect(allowed).toEqual(
      expect.arrayContaining([
        'discover',
        'compare',
        'quote policy (shipping)',
        'quote policy (warranty)',
      ]),
    );
    const notAllowed = (await page.locator('#not-allowed').textContent()) ?? '';
    expect(notAllowed).toMatch(/quote policy \(returns\) — blocked RETURN_POLICY_MISSING/);
    expect(notAllowed).toMatch(/add to cart — requires revalidation INVENTORY_STALE/);
    expect(notAllowed).toMatch(/prepare checkout — blocked/);
    expect(notAllowed).toMatch(/delegated payment — blocked/);
    const remediation = (await page.locator('#remediation').textContent()) ?? '';
    expect(remediation).toContain('Attach or approve return-policy coverage for Travel Bags');
    expect(remediation).toContain('Revalidate inventory');
    expect(remediation).toContain('Review the generated product description');
    await page.close();
  });

  it('names the missing US shipping coverage in the US context', async () => {
    const page = await operator.newPage();
    await page.goto(
      `${base}/admin/readiness?tenant=${TENANT}&product=BAG-TRAVEL-42&region=US&buyerType=consumer&channel=agent`,
    );
    const remediation = (await page.locator('#remediation').textContent()) ?? '';
    expect(remediation).toContain('Add shipping coverage for US, or explicitly exclude US');
    await page.close();
  });

  it('publishes a feed from its button, and then shows it published with its item count', async () => {
    const page = await operator.newPage();
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}`);
    const published = nextCompleted(t.events.publishFeed);
    await page
      .locator('#feeds tr', { hasText: 'agent' })
      .first()
      .getByRole('button', { name: 'Publish now' })
      .click();
    await expect(page.locator('.notice').textContent()).resolves.toBe('Publishing agent');
    await published;
    await page.reload();
    const row = page
      .locator('#feeds tbody tr')
      .filter({ has: page.locator('td', { hasText: /^agent$/ }) });
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).not.toBe('never');
    expect(Number(cells[3])).toBeGreaterThanOrEqual(6);
    await page.close();
  });

  it('filters by state and blocker code, searches by id, and pages', async () => {
    const page = await operator.newPage();
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}`);
    const products = () => page.locator('#products tbody th').allTextContents();
    await expect(products()).resolves.toHaveLength(6);

    await page.locator('#filter select[name=state]').selectOption('blocked');
    await Promise.all([
      page.waitForURL(/state=blocked/),
      page.getByRole('button', { name: 'Filter' }).click(),
    ]);
    await expect(products()).resolves.toEqual(['SCARF-SILK-2']);

    await page.locator('#filter select[name=state]').selectOption('');
    await page.locator('#filter select[name=blocker]').selectOption('OUT_OF_STOCK');
    await Promise.all([
      page.waitForURL(/blocker=OUT_OF_STOCK/),
      page.getByRole('button', { name: 'Filter' }).click(),
    ]);
    await expect(products()).resolves.toEqual(['BEANIE-WOOL-5']);

    await page.locator('#filter select[name=blocker]').selectOption('');
    await page.locator('#filter input[name=q]').fill('JACKET');
    await Promise.all([
      page.waitForURL(/q=JACKET/),
      page.getByRole('button', { name: 'Filter' }).click(),
    ]);
    await expect(products()).resolves.toEqual(['JACKET-RAIN-7']);

    // Two to a page: the next page starts after the last id shown, and Previous comes back.
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}&limit=2`);
    await expect(products()).resolves.toEqual(['BAG-TRAVEL-42', 'BEANIE-WOOL-5']);
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/after=BEANIE-WOOL-5/);
    await expect(products()).resolves.toEqual(['JACKET-RAIN-7', 'SCARF-SILK-2']);
    await expect(page.locator('#shown').textContent()).resolves.toBe('Products 3–4 of 6');
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(/before=JACKET-RAIN-7/);
    await expect(products()).resolves.toEqual(['BAG-TRAVEL-42', 'BEANIE-WOOL-5']);
    await page.close();
  });

  it('replays a dead letter from its button', async () => {
    const id = 'browser-dead-1.receipt';
    const { KEY_PREFIX } = t.ctx.config;
    await commitEffects(t.ctx.redis, KEY_PREFIX, TENANT, [id]);
    const outbox = new OutboxStore(t.ctx.redis, KEY_PREFIX, TENANT);
    await outbox.settlePlain(
      [
        {
          effectId: id,
          outcome: 'dead',
          record: { at: '2026-01-01T00:00:00.000Z', result: 'permanent', status: 422 },
          audit: { type: 'effect.dead', effectId: id },
        },
      ],
      t.ctx.clock.nowMs(),
    );
    const page = await operator.newPage();
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}`);
    const letter = page.locator('#dead-letters tr', { hasText: id });
    await letter.getByRole('button', { name: 'Replay' }).click();
    await expect(page.locator('.notice').textContent()).resolves.toBe(`Replayed ${id}`);
    await expect(outbox.status(id)).resolves.toBe('pending');
    await page.close();
  });

  it('refuses a form post without the CSRF token', async () => {
    const response = await fetch(`${base}/admin/readiness/feeds/agent/publish?tenant=${TENANT}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEMO_OPERATOR_TOKEN}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'csrf=forged',
    });
    expect(response.status).toBe(403);
  });
});

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import type { Feature } from '../../src/feature.js';
import { catalogFeature } from '../../src/features/catalog.js';
import { feedsFeature } from '../../src/features/feeds.js';
import { operationsFeature } from '../../src/features/operations.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { readinessSources } from '../../src/services/readiness-sources.js';
import { launchChromium } from '../helpers/browser.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  nextCompleted,
  TENANT,
} from '../helpers/catalog-app-context.js';

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
    expect(await seedDemo(t.runtime, TENANT)).toBe(true);
    await evaluated;
    app = await buildApp(t.ctx, [...features, operationsFeature(() => features, readinessSources)]);
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
    await page.goto(`${base}/admin/readiness?tenant=${TENANT}`);
    await expect(page.locator('h1').textContent()).resolves.toContain(`tenant ${TENANT}`);
    const summary = page.locator('#summary tbody tr', { hasText: 'EU · consumer · agent' });
    await expect(summary.count()).resolves.toBe(1);

    const row = page
      .locator('#products tr', { hasText: 'BAG-TRAVEL-42' })
      .filter({ hasText: 'EU · consumer' });
    await expect(row.locator('.badge').textContent()).resolves.toBe('Partially ready');
    await expect(row.textContent()).resolves.toContain('RETURN_POLICY_MISSING');

    await row.getByRole('link', { name: 'BAG-TRAVEL-42' }).click();
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

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature } from '../../src/app/feature.js';
import { operationsFeature } from '../../src/app/operations.js';
import type { AppContext } from '../../src/app-context.js';
import { DEMO_OPERATOR_TOKEN } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { launchChromium } from '../helpers/browser.js';
import { createTestContext } from '../helpers/test-context.js';

describe('the queue dashboard in a real browser', () => {
  let ctx: AppContext;
  let app: App;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ctx = createTestContext();
    const features: Feature[] = [
      { name: 'sample', queues: ['evaluate-profiles', 'deliver-effects'] },
    ];
    app = await buildApp(ctx, [...features, operationsFeature(() => features)]);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ctx?.close();
  });

  it('asks for credentials, then lists every queue for the operator', async () => {
    // Without credentials the server challenges for Basic auth (a browser would prompt).
    const refused = await fetch(`${base}/admin/queues`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    const operator = await browser.newContext({
      httpCredentials: { username: 'operator', password: DEMO_OPERATOR_TOKEN },
    });
    const page = await operator.newPage();
    await page.goto(`${base}/admin/queues`);
    await expect(page.getByText('evaluate-profiles').first().waitFor()).resolves.toBeUndefined();
    await expect(page.getByText('deliver-effects').first().waitFor()).resolves.toBeUndefined();
    await operator.close();
  });
});

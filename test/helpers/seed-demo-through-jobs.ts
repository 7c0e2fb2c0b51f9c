import { expect } from 'vitest';
import type { EvaluateProfilesResult } from '../../jobs/evaluate-profiles.job.js';
import { catalogFeature } from '../../src/app/catalog.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { type CatalogTestContext, nextCompleted, TENANT } from './catalog-app-context.js';

/**
 * Starts the catalog workers on `t` (closed with it), seeds the demo into TENANT and resolves
 * once the real evaluate job has evaluated every product it claimed, with none left over.
 */
export async function seedDemoThroughJobs(t: CatalogTestContext): Promise<void> {
  t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
  const evaluated = nextCompleted<EvaluateProfilesResult>(
    t.events.evaluate,
    (result) => result.products > 0 && result.remaining === 0,
  );
  expect(await seedDemo(t.runtime, TENANT, t.ctx.clock.nowMs())).toBe(true);
  await evaluated;
}

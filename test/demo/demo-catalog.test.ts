import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { DEFAULT_CONTEXTS, readinessEntryOf } from '../../src/domain/index.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { seedDemoThroughJobs } from '../helpers/seed-demo-through-jobs.js';

/**
 * The demo is what a new user sees first: seeded and evaluated by the real jobs, the default
 * context (an EU consumer agent, the first configured) shows every readiness state, and the
 * products the README names as ready are.
 */
describe('the demo catalog, seeded and evaluated', () => {
  let t: CatalogTestContext;

  beforeAll(async () => {
    t = await catalogTestContext();
    await seedDemoThroughJobs(t);
  });
  afterAll(() => t?.close());

  it('counts ready, partially ready and blocked products in the default context', async () => {
    const overview = await readinessSourcesOf(t.ctx).overview(TENANT);
    const [first] = overview.contexts;
    expect(first?.context).toEqual(DEFAULT_CONTEXTS[0]);
    expect(first?.counts).toEqual({ ready: 3, partially_ready: 2, blocked: 1 });
    expect(overview.products).toBe(6);
  });

  it('has JACKET-RAIN-7 ready, BAG-TRAVEL-42 partially ready and SCARF-SILK-2 blocked', async () => {
    const states = Object.fromEntries(
      await Promise.all(
        [
          'JACKET-RAIN-7',
          'TEE-CLASSIC-1',
          'SOCKS-MERINO-3',
          'BAG-TRAVEL-42',
          'BEANIE-WOOL-5',
          'SCARF-SILK-2',
        ].map(async (id) => {
          const found = await t.runtime.profiles.lookup(TENANT, id, DEFAULT_CONTEXTS[0]!);
          expect(found.source).toBe('stored');
          return [id, readinessEntryOf(found.profile.decisions).state] as const;
        }),
      ),
    );
    expect(states).toEqual({
      'JACKET-RAIN-7': 'ready',
      'TEE-CLASSIC-1': 'ready',
      'SOCKS-MERINO-3': 'ready',
      'BAG-TRAVEL-42': 'partially_ready',
      'BEANIE-WOOL-5': 'partially_ready',
      'SCARF-SILK-2': 'blocked',
    });
  });
});

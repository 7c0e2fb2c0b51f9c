import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { contextKey } from '../../src/domain/index.js';
import {
  evaluationQueueName,
  evaluationShardOf,
  queueGroupOf,
  queuePrefix,
} from '../../src/queues/queue-groups.js';
import { type CatalogTestContext, catalogTestContext } from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';
import { waitFor } from '../helpers/wait-for.js';

const SHARDS = 3;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];

describe('evaluation shards', () => {
  it('send one tenant always to one shard, and spread tenants over all of them', () => {
    const shards = TENANTS.map((tenant) => evaluationShardOf(tenant, SHARDS));
    expect(TENANTS.map((tenant) => evaluationShardOf(tenant, SHARDS))).toEqual(shards);
    expect(new Set(shards)).toEqual(new Set([0, 1, 2]));
    expect(TENANTS.every((tenant) => evaluationShardOf(tenant, 1) === 0)).toBe(true);
  });

  it('name shard n’s queue evaluate-profiles-n, under a hash tag of its own', () => {
    expect(evaluationQueueName(0)).toBe('evaluate-profiles');
    expect(evaluationQueueName(2)).toBe('evaluate-profiles-2');
    expect(queueGroupOf(evaluationQueueName(2))).toBe('evaluation-2');
    const settings = { QUEUE_PREFIX: '{acw}' };
    expect(queuePrefix(settings, evaluationQueueName(0))).toBe('{acw-evaluation}');
    expect(queuePrefix(settings, evaluationQueueName(2))).toBe('{acw-evaluation-2}');
  });
});

describe(`a catalog of ${TENANTS.length} tenants on ${SHARDS} evaluation shards`, () => {
  let t: CatalogTestContext;

  beforeAll(async () => {
    t = await catalogTestContext({
      AUTH_TOKENS: TENANTS.map((tenant) => `${tenant}:${tenant}-token-0123456789abcdef`).join(','),
      EVALUATION_QUEUE_SHARDS: String(SHARDS),
    });
  });
  afterAll(() => t.close());

  it('queues each tenant’s evaluation on its own shard only', async () => {
    const { evaluateShards } = t.runtime.queues;
    expect(evaluateShards.map((queue) => queue.name)).toEqual([
      'evaluate-profiles',
      'evaluate-profiles-1',
      'evaluate-profiles-2',
    ]);
    // Far in the future, so no worker (none runs yet) would take them before they are counted.
    for (const tenant of TENANTS) await t.runtime.evaluation.requestEvaluation(tenant, 600_000);
    for (const [shard, queue] of evaluateShards.entries()) {
      const jobs = await queue.getDelayed();
      const tenants = jobs.map((job) => (job.data as { tenant: string }).tenant).sort();
      expect(tenants).toEqual(
        TENANTS.filter((tenant) => evaluationShardOf(tenant, SHARDS) === shard).sort(),
      );
      await queue.obliterate({ force: true });
    }
  });

  it('evaluates every tenant’s products, with one worker per shard', async () => {
    t.started.push(...(await catalogFeature.startWorkers!(t.ctx)));
    const nowMs = t.ctx.clock.nowMs();
    for (const tenant of TENANTS) {
      for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(tenant, policy);
      await t.runtime.catalog.putProducts(tenant, [readyProduct(`SHARD-${tenant}`, nowMs)]);
    }
    const key = contextKey(t.ctx.config.FEED_CONTEXT);
    await waitFor(
      'a stored profile for every tenant',
      async () => {
        const stored = await Promise.all(
          TENANTS.map((tenant) => t.runtime.storesOf(tenant).profiles.read(key, `SHARD-${tenant}`)),
        );
        return stored.every((profile) => profile !== undefined && profile !== null)
          ? true
          : undefined;
      },
      { timeoutMs: 20_000 },
    );
  });
});

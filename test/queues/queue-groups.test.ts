import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { CATALOG_QUEUE_NAMES, openCatalogQueues } from '../../src/queues/catalog-queues.js';
import { AUDIT_DRIFT_QUEUE } from '../../src/queues/drift-queues.js';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { checkoutQueues, deliveryQueueName } from '../../src/queues/outbox-queues.js';
import { QUEUE_GROUPS, queueGroupOf, queuePrefix } from '../../src/queues/queue-groups.js';
import { keysMatching } from '../helpers/redis.js';
import { createTestContext } from '../helpers/test-context.js';

/** The hash tag a Redis Cluster hashes a key by: the first `{…}` with something inside. */
function hashTagOf(key: string): string {
  return /\{([^}]+)\}/.exec(key)?.[1] ?? key;
}

describe('queue groups', () => {
  it('give every group a hash tag of its own by default, shared by the group’s queues', () => {
    const settings = { QUEUE_PREFIX: '{acw}' };
    expect(queuePrefix(settings, INTENTS_QUEUE)).toBe('{acw-intents}');
    expect(queuePrefix(settings, deliveryQueueName('payment'))).toBe('{acw-delivery-payment}');
    expect(queuePrefix(settings, CATALOG_QUEUE_NAMES.evaluate)).toBe('{acw-evaluation}');
    expect(queuePrefix(settings, CATALOG_QUEUE_NAMES.sweepDue)).toBe(
      queuePrefix(settings, AUDIT_DRIFT_QUEUE),
    );
    const tags = QUEUE_GROUPS.map((group) => `acw-${group}`);
    expect(new Set(tags).size).toBe(QUEUE_GROUPS.length);
    expect(QUEUE_GROUPS).toEqual(
      expect.arrayContaining(['intents', 'evaluation', 'feeds', 'scheduling', 'delivery-payment']),
    );
  });

  it('take QUEUE_HASH_TAGS per group, and * for the groups it does not name', () => {
    const tags = { intents: 'hot', '*': 'acw' };
    expect(queuePrefix({ QUEUE_PREFIX: '{x}', QUEUE_HASH_TAGS: tags }, INTENTS_QUEUE)).toBe(
      '{hot}',
    );
    // `*=acw` is the layout from before groups: every queue under one tag.
    expect(
      queuePrefix({ QUEUE_PREFIX: '{x}', QUEUE_HASH_TAGS: tags }, deliveryQueueName('receipt')),
    ).toBe('{acw}');
  });

  it('make a queue no group names a group of its own', () => {
    expect(queueGroupOf('sample-work')).toBe('sample-work');
    expect(queuePrefix({ QUEUE_PREFIX: '{acw}' }, 'sample-work')).toBe('{acw-sample-work}');
  });
});

describe('the queues the service opens', () => {
  let ctx: AppContext;
  const opened: Queue[] = [];
  beforeAll(() => {
    ctx = createTestContext();
  });
  afterAll(async () => {
    await Promise.all(opened.map((queue) => queue.close()));
    await ctx.close();
  });

  it('write each queue’s keys under its group’s tag only, and no two groups under one tag', async () => {
    const catalog = openCatalogQueues(ctx.producer, ctx.config);
    const checkout = checkoutQueues(ctx.producer, ctx.config);
    const intents = new Queue(INTENTS_QUEUE, {
      connection: ctx.producer,
      prefix: queuePrefix(ctx.config, INTENTS_QUEUE),
    });
    opened.push(intents);
    const queues = [
      intents,
      catalog.evaluate,
      catalog.sweepDue,
      catalog.publishFeed,
      catalog.pullCatalog,
      checkout.drain,
      checkout.prune,
      checkout.reconcile,
      ...Object.values(checkout.delivery),
    ];
    try {
      for (const queue of queues) await queue.add('probe', {}, { delay: 60_000 });
      const tagOfGroup = new Map<string, string>();
      for (const queue of queues) {
        const keys = await keysMatching(ctx.redis, `${queue.opts.prefix}:${queue.name}:*`);
        expect(keys.length).toBeGreaterThan(0);
        const tags = new Set(keys.map(hashTagOf));
        expect(tags.size).toBe(1);
        tagOfGroup.set(queueGroupOf(queue.name), [...tags][0] as string);
      }
      expect(tagOfGroup.size).toBe(QUEUE_GROUPS.length);
      expect(new Set(tagOfGroup.values()).size).toBe(QUEUE_GROUPS.length);
    } finally {
      await Promise.all(queues.map((queue) => queue.obliterate({ force: true })));
      await catalog.close();
      await checkout.close();
    }
  });
});

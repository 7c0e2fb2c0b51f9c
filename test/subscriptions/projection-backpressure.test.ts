import { once } from 'node:events';
import { type Job, type Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFeature } from '../../src/app/catalog.js';
import { subscriptionServiceOf, subscriptionsFeature } from '../../src/app/subscriptions.js';
import { checkoutQueues } from '../../src/queues/outbox-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { PROJECT_DECISION_EVENTS_QUEUE } from '../../src/queues/subscription-queues.js';
import { DECISION_EVENT_ID_PREFIX } from '../../src/services/subscriptions/decision-event-projector.js';
import { SubscriptionBodySchema } from '../../src/services/subscriptions/product-subscription.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { coveringPolicies, readyProduct } from '../helpers/catalog-facts.js';

/**
 * The projection's backpressure (DECISION_EVENT_QUEUE_HIGH_WATER): while the webhook delivery
 * queue holds that many deliveries, the projection job moves itself to delayed and the changes
 * wait in the change stream; once the queue drains, it projects them, none lost. No delivery
 * worker runs here, so a job the test puts in the webhook queue stays waiting until it is taken
 * away.
 */
describe('the decision-event projection when the webhook delivery queue is full', () => {
  let t: CatalogTestContext;
  let webhook: Queue;
  let closeQueues: () => Promise<void>;
  let projectionEvents: QueueEvents;

  beforeAll(async () => {
    t = await catalogTestContext({
      // One waiting job of one delivery reaches the mark.
      DECISION_EVENT_QUEUE_HIGH_WATER: '1',
      DELIVERY_BATCH: '1',
      DECISION_EVENT_COALESCE_MS: '0',
    });
    const queues = checkoutQueues(t.ctx.redis, t.ctx.config);
    webhook = queues.delivery.webhook;
    closeQueues = () => queues.close();
    projectionEvents = new QueueEvents(PROJECT_DECISION_EVENTS_QUEUE, {
      connection: t.ctx.workerConnection(),
      prefix: queuePrefix(t.ctx.config, PROJECT_DECISION_EVENTS_QUEUE),
    });
    await projectionEvents.waitUntilReady();
    t.started.push(
      ...(await catalogFeature.startWorkers!(t.ctx)),
      ...(await subscriptionsFeature.startWorkers!(t.ctx)),
    );
    for (const policy of coveringPolicies()) await t.runtime.catalog.putPolicy(TENANT, policy);
    await subscriptionServiceOf(t.ctx).put(
      TENANT,
      'whole-catalog',
      SubscriptionBodySchema.parse({ url: 'http://127.0.0.1:9/hooks' }),
    );
  });
  afterAll(async () => {
    await projectionEvents?.close();
    await closeQueues?.();
    await t?.close();
  });

  it('holds the changes in the change stream, then projects every one once the queue drains', async () => {
    const changes = new DecisionChangeStore(t.ctx.redis, t.ctx.config.KEY_PREFIX, TENANT);
    const outbox = new OutboxStore(t.ctx.redis, t.ctx.config.KEY_PREFIX, TENANT);
    const blocking: Job = await webhook.add('batch', { tenant: 'someone-else', effects: [] });
    const held = once(projectionEvents, 'delayed');

    await t.runtime.catalog.putProducts(TENANT, [readyProduct('HELD-1', t.ctx.clock.nowMs())]);
    await held;

    // Held: the evaluation's changes are in the stream, unprojected, and no event was written.
    expect((await changes.backlog(t.ctx.clock.nowMs())).entries).toBeGreaterThan(0);
    expect(
      (await outbox.countWithPrefix(DECISION_EVENT_ID_PREFIX, t.ctx.clock.nowMs())).pending,
    ).toBe(0);
    const heldCount = await t.ctx.metrics.decisionEvents.get();
    expect(
      heldCount.values.find((v) => v.labels.outcome === 'held' && v.labels.tenant === TENANT)
        ?.value,
    ).toBeGreaterThanOrEqual(1);

    // The workers take the waiting job: the held projection runs again and writes the events.
    const projected = once(projectionEvents, 'completed');
    await blocking.remove();
    await projected;
    expect((await changes.backlog(t.ctx.clock.nowMs())).entries).toBe(0);
    const events = await outbox.countWithPrefix(DECISION_EVENT_ID_PREFIX, t.ctx.clock.nowMs());
    // One event per evaluated context of the product's first evaluation.
    expect(events.pending).toBe(t.ctx.config.EVALUATION_CONTEXTS.length);
  });
});

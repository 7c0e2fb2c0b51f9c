import { projectDecisionEventsJob } from '../../jobs/project-decision-events.job.js';
import type { AppContext } from '../app-context.js';
import { subscriptionRoutes } from '../http/routes/subscription-routes.js';
import { startJobWorker, workerClosable } from '../queues/job-shell.js';
import { checkoutQueues, nudgeOutboxDrain } from '../queues/outbox-queues.js';
import {
  openProjectionQueue,
  PROJECT_DECISION_EVENTS_QUEUE,
} from '../queues/subscription-queues.js';
import { DecisionEventProjector } from '../services/subscriptions/decision-event-projector.js';
import { SubscriptionService } from '../services/subscriptions/subscription-service.js';
import type { Feature } from './feature.js';

/**
 * Change-stream entries (evaluation slices of up to 100 products) one projection step reads: its
 * events are written in one script, which holds Redis meanwhile, so a step stays small (about
 * 1,000 events when every change is heard, tens of milliseconds).
 */
const ENTRIES_PER_STEP = 5;

/** The subscription service over the context's Redis, clock and evaluated contexts. */
export function subscriptionServiceOf(ctx: AppContext): SubscriptionService {
  return new SubscriptionService({
    redis: ctx.redis,
    prefix: ctx.config.KEY_PREFIX,
    clock: ctx.clock,
    contexts: ctx.config.EVALUATION_CONTEXTS,
  });
}

export function decisionEventProjectorOf(ctx: AppContext): DecisionEventProjector {
  return new DecisionEventProjector({
    redis: ctx.redis,
    prefix: ctx.config.KEY_PREFIX,
    subscriptions: subscriptionServiceOf(ctx),
    coalesceMs: ctx.config.DECISION_EVENT_COALESCE_MS,
    entriesPerStep: ENTRIES_PER_STEP,
    onGap(tenant, cursor, next) {
      ctx.logger.error(
        { tenant, cursor, next },
        'decision changes were trimmed from the change stream before they were projected: subscribers missed them (the audit has them)',
      );
      ctx.metrics.decisionEvents.inc({ tenant, outcome: 'lost_gap' });
    },
  });
}

/**
 * Product subscriptions: agents register where to hear of decision changes; the evaluation
 * records changes while a tenant has subscriptions, the projector turns them into signed
 * decision events in the outbox, and the outbox delivers them (through the ordering gate).
 */
export const subscriptionsFeature: Feature = {
  name: 'subscriptions',
  queues: [PROJECT_DECISION_EVENTS_QUEUE],

  async tenantRoutes(app, ctx) {
    await subscriptionRoutes(app, subscriptionServiceOf(ctx), ctx.config.NODE_ENV === 'production');
  },

  async startWorkers(ctx) {
    const projections = openProjectionQueue(ctx.redis, ctx.config);
    const outbox = checkoutQueues(ctx.redis, ctx.config);
    const worker = startJobWorker(
      projectDecisionEventsJob,
      {
        projector: decisionEventProjectorOf(ctx),
        nowMs: () => ctx.clock.nowMs(),
        projections,
        async wakeDrain(tenant) {
          try {
            await nudgeOutboxDrain(outbox.drain, tenant, ctx.config.DECISION_EVENT_COALESCE_MS);
          } catch (error) {
            // The events are committed; the scheduled drain picks them up anyway.
            ctx.logger.warn({ err: error, tenant }, 'could not nudge the outbox drain');
          }
        },
        observe(tenant, step) {
          ctx.metrics.decisionEvents.inc({ tenant, outcome: 'projected' }, step.events);
          ctx.metrics.decisionEvents.inc({ tenant, outcome: 'coalesced' }, step.coalesced);
        },
        async deliveryBacklog() {
          const jobs = await outbox.delivery.webhook.getJobCountByTypes('waiting', 'prioritized');
          return jobs * ctx.config.DELIVERY_BATCH;
        },
        backlogLimit: ctx.config.DECISION_EVENT_QUEUE_HIGH_WATER,
        onHeld(tenant) {
          ctx.metrics.decisionEvents.inc({ tenant, outcome: 'held' });
        },
      },
      ctx.workerConnection(),
      { prefixes: ctx.config, logger: ctx.logger, metrics: ctx.metrics },
    );
    return [
      workerClosable(ctx.health, worker),
      {
        name: 'decision-event queues',
        phase: 'queues',
        close: async () => {
          await Promise.all([projections.close(), outbox.close()]);
        },
      },
    ];
  },
};

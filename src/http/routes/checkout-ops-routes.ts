import { z } from 'zod';
import { AppError } from '../../errors/codes.js';
import type { ReconciliationReport } from '../../services/checkout/payment-reconciliation.js';
import {
  type DeadLetterDeps,
  listDeadLetters,
  replayDeadLetter,
} from '../../services/outbox/dead-letter.js';
import { CheckoutStore } from '../../store/checkout-store.js';
import { OutboxStore } from '../../store/outbox-store.js';
import {
  WebhookSubscriberSchema,
  WebhookSubscriberStore,
} from '../../store/webhook-subscriber-store.js';
import type { App } from '../types.js';

/**
 * Operator routes of the outbox, tenant-scoped by the bearer token: the dead letter and its
 * replay, one effect's history, webhook subscribers, and payment reconciliation.
 */
export interface OpsDeps extends DeadLetterDeps {
  enqueueReconciliation(tenant: string): Promise<void>;
}

const EffectParams = z.object({ id: z.string().min(1).max(300) });
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export async function checkoutOpsRoutes(app: App, deps: OpsDeps): Promise<void> {
  app.get('/v1/ops/dead-letter', { schema: { querystring: Page } }, async (request) =>
    listDeadLetters(deps, request.tenant, request.query.limit, request.query.offset),
  );

  app.post(
    '/v1/ops/dead-letter/:id/replay',
    { schema: { params: EffectParams } },
    async (request, reply) => {
      const outcome = await replayDeadLetter(deps, request.tenant, request.params.id);
      if (outcome === 'not_found') throw new AppError('NOT_FOUND', [`effect ${request.params.id}`]);
      if (outcome === 'not_dead') {
        throw new AppError('CONFLICT', [`effect ${request.params.id} is not dead-lettered`]);
      }
      return reply.code(202).send({ effectId: request.params.id, status: 'replayed' });
    },
  );

  app.get('/v1/ops/outbox/:id', { schema: { params: EffectParams } }, async (request) => {
    const view = await new OutboxStore(deps.redis, deps.prefix, request.tenant).view(
      request.params.id,
    );
    if (view === undefined) throw new AppError('NOT_FOUND', [`effect ${request.params.id}`]);
    return view;
  });

  app.get('/v1/ops/outbox', async (request) =>
    new OutboxStore(deps.redis, deps.prefix, request.tenant).countByStatus(),
  );

  app.put(
    '/v1/ops/webhook-subscribers/:id',
    {
      schema: {
        params: z.object({ id: WebhookSubscriberSchema.shape.id }),
        body: WebhookSubscriberSchema.omit({ id: true }),
      },
    },
    async (request) => {
      const subscriber = { id: request.params.id, ...request.body };
      await new WebhookSubscriberStore(deps.redis, deps.prefix, request.tenant).put(subscriber);
      return subscriber;
    },
  );

  app.get('/v1/ops/webhook-subscribers', async (request) => ({
    subscribers: await new WebhookSubscriberStore(deps.redis, deps.prefix, request.tenant).list(),
  }));

  app.delete(
    '/v1/ops/webhook-subscribers/:id',
    { schema: { params: z.object({ id: z.string().min(1).max(64) }) } },
    async (request, reply) => {
      const store = new WebhookSubscriberStore(deps.redis, deps.prefix, request.tenant);
      if (!(await store.remove(request.params.id))) {
        throw new AppError('NOT_FOUND', [`webhook subscriber ${request.params.id}`]);
      }
      return reply.code(204).send();
    },
  );

  app.get('/v1/ops/reconciliation', async (request) => {
    const report = await new CheckoutStore(
      deps.redis,
      deps.prefix,
      request.tenant,
    ).getReconciliationReport();
    if (report === undefined) throw new AppError('NOT_FOUND', ['reconciliation report']);
    return JSON.parse(report) as ReconciliationReport;
  });

  app.post('/v1/ops/reconciliation', async (request, reply) => {
    await deps.enqueueReconciliation(request.tenant);
    return reply.code(202).send({ status: 'queued' });
  });
}

import { z } from 'zod';
import { AppError } from '../../errors/codes.js';
import {
  type OutboxOperations,
  SubscriberBodySchema,
  SubscriberIdSchema,
} from '../../services/outbox/operations-service.js';
import type { App } from '../types.js';

const EffectParams = z.object({ id: z.string().min(1).max(300) });
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * Operator routes of the outbox, tenant-scoped by the bearer token: the dead letter and its
 * replay, one effect's history, webhook subscribers, and payment reconciliation.
 * They translate; the outbox operations service reaches the stores.
 */
export async function checkoutOpsRoutes(app: App, ops: OutboxOperations): Promise<void> {
  app.get('/v1/ops/dead-letter', { schema: { querystring: Page } }, async (request) =>
    ops.listDeadLetters(request.tenant, request.query.limit, request.query.offset),
  );

  app.post(
    '/v1/ops/dead-letter/:id/replay',
    { schema: { params: EffectParams } },
    async (request, reply) => {
      const outcome = await ops.replayDeadLetter(request.tenant, request.params.id);
      if (outcome === 'not_found') throw new AppError('NOT_FOUND', [`effect ${request.params.id}`]);
      if (outcome === 'not_dead') {
        throw new AppError('CONFLICT', [`effect ${request.params.id} is not dead-lettered`]);
      }
      return reply.code(202).send({ effectId: request.params.id, status: 'replayed' });
    },
  );

  app.get('/v1/ops/outbox/:id', { schema: { params: EffectParams } }, async (request) => {
    const view = await ops.effect(request.tenant, request.params.id);
    if (view === undefined) throw new AppError('NOT_FOUND', [`effect ${request.params.id}`]);
    return view;
  });

  app.get('/v1/ops/outbox', async (request) => ops.countByStatus(request.tenant));

  app.put(
    '/v1/ops/webhook-subscribers/:id',
    {
      schema: {
        params: z.object({ id: SubscriberIdSchema }),
        body: SubscriberBodySchema,
      },
    },
    async (request) =>
      ops.putSubscriber(request.tenant, { id: request.params.id, ...request.body }),
  );

  app.get('/v1/ops/webhook-subscribers', async (request) => ({
    subscribers: await ops.listSubscribers(request.tenant),
  }));

  app.delete(
    '/v1/ops/webhook-subscribers/:id',
    { schema: { params: z.object({ id: z.string().min(1).max(64) }) } },
    async (request, reply) => {
      if (!(await ops.removeSubscriber(request.tenant, request.params.id))) {
        throw new AppError('NOT_FOUND', [`webhook subscriber ${request.params.id}`]);
      }
      return reply.code(204).send();
    },
  );

  app.get('/v1/ops/reconciliation', async (request) => {
    const report = await ops.reconciliationReport(request.tenant);
    if (report === undefined) throw new AppError('NOT_FOUND', ['reconciliation report']);
    return report;
  });

  app.post('/v1/ops/reconciliation', async (request, reply) => {
    await ops.requestReconciliation(request.tenant);
    return reply.code(202).send({ status: 'queued' });
  });
}

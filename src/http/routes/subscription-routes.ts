import { z } from 'zod';
import { AppError } from '../../errors/codes.js';
import {
  SubscriptionBodySchema,
  SubscriptionIdSchema,
} from '../../services/subscriptions/product-subscription.js';
import type { SubscriptionService } from '../../services/subscriptions/subscription-service.js';
import { subscriberUrlProblem } from '../subscriber-url.js';
import type { App } from '../types.js';

const IdParams = z.object({ id: SubscriptionIdSchema });

/**
 * Product subscriptions (issue 18), tenant-scoped by the bearer token: create or replace, read,
 * list, delete. They translate; the subscription service reaches the store.
 */
export async function subscriptionRoutes(
  app: App,
  subscriptions: SubscriptionService,
  production: boolean,
): Promise<void> {
  app.put(
    '/v1/subscriptions/:id',
    { schema: { params: IdParams, body: SubscriptionBodySchema } },
    async (request, reply) => {
      const problem = subscriberUrlProblem(request.body.url, production);
      if (problem !== undefined) throw new AppError('VALIDATION_FAILED', [`url: ${problem}`]);
      const { subscription, created } = await subscriptions.put(
        request.tenant,
        request.params.id,
        request.body,
      );
      return reply.code(created ? 201 : 200).send(subscription);
    },
  );

  app.get('/v1/subscriptions', async (request) => ({
    subscriptions: await subscriptions.list(request.tenant),
  }));

  app.get('/v1/subscriptions/:id', { schema: { params: IdParams } }, async (request) => {
    const found = await subscriptions.get(request.tenant, request.params.id);
    if (found === undefined) throw new AppError('NOT_FOUND', [`subscription ${request.params.id}`]);
    return found;
  });

  app.delete('/v1/subscriptions/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!(await subscriptions.remove(request.tenant, request.params.id)))
      throw new AppError('NOT_FOUND', [`subscription ${request.params.id}`]);
    return reply.code(204).send();
  });
}

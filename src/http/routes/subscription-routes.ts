import { z } from 'zod';
import { AppError } from '../../errors/codes.js';
import {
  SubscriptionBodySchema,
  SubscriptionIdSchema,
} from '../../services/subscriptions/product-subscription.js';
import type { SubscriptionService } from '../../services/subscriptions/subscription-service.js';
import type { App } from '../types.js';
import { isPublicAddress, literalAddressOf } from '../ucp/address-guard.js';

const IdParams = z.object({ id: SubscriptionIdSchema });

/**
 * Where events may be sent. In production a subscriber is reached over https and never at
 * loopback, a private network or any other non-public address written as a literal or as
 * `localhost` (a name that resolves there is refused when connecting, as every outbound call
 * of ours is). Outside production a loopback receiver is what a developer runs.
 */
function outboundUrlProblem(url: string, production: boolean): string | undefined {
  if (!production) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return 'url: must be https in production';
  const literal = literalAddressOf(parsed);
  const host = parsed.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost'))
    return 'url: must not point at this machine';
  if (literal !== undefined && !isPublicAddress(literal))
    return `url: ${literal} is not a public address`;
  return undefined;
}

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
      const problem = outboundUrlProblem(request.body.url, production);
      if (problem !== undefined) throw new AppError('VALIDATION_FAILED', [problem]);
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

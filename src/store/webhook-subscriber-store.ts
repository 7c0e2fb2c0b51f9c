import { z } from 'zod';
import { type TenantKey, tenantKeys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * A tenant's agent-webhook subscribers (`webhooks:subscribers` hash: id → JSON). Registered via
 * the ops route; a tenant's events go to its own subscribers only, because the key is the
 * tenant's.
 */
export const WEBHOOK_EVENTS = ['order.completed'] as const;

export const WebhookSubscriberSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and - only' }),
  url: z.url({ protocol: /^https?$/ }),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).default(['order.completed']),
});
export type WebhookSubscriber = z.infer<typeof WebhookSubscriberSchema>;

export class WebhookSubscriberStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  async put(subscriber: WebhookSubscriber): Promise<void> {
    await this.redis.hset(
      this.key('webhooks', 'subscribers'),
      subscriber.id,
      JSON.stringify(subscriber),
    );
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key('webhooks', 'subscribers'), id)) === 1;
  }

  async list(): Promise<WebhookSubscriber[]> {
    const values = await this.redis.hvals(this.key('webhooks', 'subscribers'));
    return values
      .map((value) => JSON.parse(value) as WebhookSubscriber)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

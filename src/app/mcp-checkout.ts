import { Queue } from 'bullmq';
import { checkoutTools } from '../adapters/mcp/checkout-tools.js';
import type { AppContext } from '../app-context.js';
import { checkoutBindings } from '../http/mcp/checkout-bindings.js';
import type { ToolBinding } from '../http/mcp/tool-runner.js';
import type { App } from '../http/types.js';
import { OUTBOX_QUEUE_NAMES } from '../queues/outbox-queues.js';
import { queuePrefix } from '../queues/queue-groups.js';
import { ap2PaymentsOf } from './ap2-payments.js';
import { createCheckoutService } from './checkout-runtime.js';

/**
 * The MCP checkout tools over the checkout service every surface uses. Its steps wake the
 * outbox drain through the drain queue, as the checkout API does; the queue is the MCP
 * routes' own and closes with them.
 */
export function mcpCheckoutBindings(
  app: App,
  ctx: AppContext,
  regions: readonly [string, ...string[]],
): ToolBinding[] {
  const drain = new Queue(OUTBOX_QUEUE_NAMES.drain, {
    connection: ctx.producer,
    prefix: queuePrefix(ctx.config, OUTBOX_QUEUE_NAMES.drain),
  });
  // A Queue emits 'error' when Redis goes away; unhandled, that would crash the process.
  drain.on('error', (err) => ctx.logger.warn({ err }, 'mcp outbox drain queue error'));
  app.addHook('onClose', () => drain.close());
  return checkoutBindings(checkoutTools(regions), {
    service: createCheckoutService(ctx, { drain }),
    ap2: ap2PaymentsOf(ctx),
    // An identical call still running is waited for as long as its key may be held.
    inFlightWaitMs: ctx.config.IDEMPOTENCY_CLAIM_TTL_MS,
  });
}

import type { AppContext } from '../app-context.js';
import { DelegatedPaymentService } from '../services/delegated-payment-service.js';

const services = new WeakMap<AppContext, DelegatedPaymentService>();

/**
 * The process's delegated payment tokens, one service per AppContext: the delegate_payment route
 * mints them and a checkout session's complete step looks them up (`token(tenant, id)`).
 */
export function delegatedPaymentsOf(ctx: AppContext): DelegatedPaymentService {
  let service = services.get(ctx);
  if (service === undefined) {
    service = new DelegatedPaymentService({
      redis: ctx.producer,
      prefix: ctx.config.KEY_PREFIX,
      clock: ctx.clock,
      maxLifetimeMs: ctx.config.ACP_ALLOWANCE_MAX_LIFETIME_SECONDS * 1000,
    });
    services.set(ctx, service);
  }
  return service;
}

/**
 * One worker process of bench/scale, configured entirely by environment variables like the
 * service: `SCALE_ROLE=evaluation` starts the catalog's workers (one evaluation worker per
 * shard), `SCALE_ROLE=delivery` the checkout workers (drain and delivery). Speaks to the bench
 * over IPC: sends `{ ready }` once started, answers `cpu` with the CPU seconds it has used, and
 * closes its workers and exits on `stop`.
 */
import { catalogFeature } from '../../src/app/catalog.js';
import { startCheckoutWorkers } from '../../src/app/checkout-runtime.js';
import { createAppContext } from '../../src/app-context.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';

const config = loadConfig(process.env);
const ctx = createAppContext(config, createLogger({ level: 'silent' }), systemClock);
const running =
  process.env.SCALE_ROLE === 'evaluation'
    ? await (catalogFeature.startWorkers?.(ctx) ?? [])
    : await startCheckoutWorkers(ctx, {
        reservation: config.RESERVATION_URL ?? '',
        payment: config.PAYMENT_URL ?? '',
        receipt: config.RECEIPT_URL ?? '',
      });

const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

process.on('message', async (message) => {
  if (message === 'cpu') process.send?.({ cpu: cpuSeconds() });
  if (message === 'stop') {
    await closeInPhases(running);
    await ctx.close();
    process.send?.({ stopped: true }, () => process.exit(0));
  }
});
process.send?.({ ready: true });

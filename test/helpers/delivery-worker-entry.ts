/**
 * The checkout worker as a process of its own (delivery, drain, reconcile workers and the
 * schedules), configured entirely by environment variables. The crash test spawns it with
 * `node --import tsx` and kills it with SIGKILL mid-drain. Prints "ready" once started.
 */

import { startCheckoutSchedulers, startCheckoutWorkers } from '../../src/app/checkout-runtime.js';
import { createAppContext } from '../../src/app-context.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';

const config = loadConfig(process.env);
const ctx = createAppContext(config, createLogger({ level: config.LOG_LEVEL }), systemClock);
const endpoints = {
  reservation: config.RESERVATION_URL ?? '',
  payment: config.PAYMENT_URL ?? '',
  receipt: config.RECEIPT_URL ?? '',
};
const running = [
  ...(await startCheckoutWorkers(ctx, endpoints)),
  ...(await startCheckoutSchedulers(ctx)),
];
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await closeInPhases(running);
  await ctx.close();
  process.exit(0);
});

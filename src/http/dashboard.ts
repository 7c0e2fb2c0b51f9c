import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import { redactJobData } from './redact-job-data.js';
import type { App } from './types.js';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * @bull-board for every queue of the service. Job data passes through a formatter that blanks
 * anything that could hold payment details before it reaches the browser. The caller mounts this
 * inside a scope that already requires the operator token.
 */
export async function mountDashboard(app: App, queues: readonly Queue[]): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => {
      const adapter = new BullMQAdapter(queue, { readOnlyMode: false });
      adapter.setFormatter('data', redactJobData);
      adapter.setFormatter('returnValue', redactJobData);
      return adapter;
    }),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'agent-commerce-worker' } },
  });
  await app.register(serverAdapter.registerPlugin() as never, { prefix: DASHBOARD_PATH });
}

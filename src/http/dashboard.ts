import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { errorHandler as bullBoardErrorHandler } from '@bull-board/api/dist/handlers/error.js';
import type { HTTPStatus } from '@bull-board/api/dist/types.js';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import { knownErrorBody } from './error-handler.js';
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
  // createBullBoard gives the plugin bull-board's own error handler, which answers everything
  // thrown in its scope (the operator token's 401 included) as 500-keyed
  // {error: {key: 'ERRORS.INTERNAL_SERVER_ERROR'}}. Errors we can name keep our shape and status;
  // bull-board's handler still answers its own faults, which its UI knows how to show.
  serverAdapter.setErrorHandler((error) => {
    const known = knownErrorBody(error, { bodyLimitBytes: app.initialConfig.bodyLimit });
    if (known === undefined) return bullBoardErrorHandler(error);
    // bull-board's status type lists no 401/413/415, but its adapter hands any number to reply.status.
    return { status: known.statusCode as HTTPStatus, body: known };
  });
  await app.register(serverAdapter.registerPlugin() as never, { prefix: DASHBOARD_PATH });
}

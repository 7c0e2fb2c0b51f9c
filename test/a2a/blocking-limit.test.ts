import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aHarness, ACME_TOKEN, postRpc, startA2aHarness } from '../helpers/a2a.js';

describe('A2A blocking SendMessage', () => {
  let harness: A2aHarness;

  beforeAll(async () => {
    // No worker runs, so no task can finish: the wait can only end at the configured limit.
    harness = await startA2aHarness({
      workers: false,
      env: { A2A_BLOCKING_TIMEOUT_MS: '250' },
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('when the task does not finish within A2A_BLOCKING_TIMEOUT_MS', () => {
    it('answers the task as it is (SUBMITTED) once the limit passes', async () => {
      const started = performance.now();
      const { status, body } = await postRpc(
        harness.baseUrl,
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: {
            message: {
              messageId: randomUUID(),
              role: 'ROLE_USER',
              parts: [
                {
                  data: {
                    action: 'get_profile',
                    productId: 'BAG-TRAVEL-42',
                    country: 'DE',
                    buyerType: 'consumer',
                  },
                },
              ],
            },
          },
        },
        { authorization: `Bearer ${ACME_TOKEN}`, 'a2a-version': '1.0' },
      );
      const elapsed = performance.now() - started;
      expect(status).toBe(200);
      expect(body.result.task.status.state).toBe('TASK_STATE_SUBMITTED');
      expect(elapsed).toBeGreaterThanOrEqual(240);
      expect(elapsed).toBeLessThan(5_000);
    });
  });
});

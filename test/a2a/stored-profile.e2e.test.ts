import { randomUUID } from 'node:crypto';
import { type Message, SendMessageRequest } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDecision } from '../../src/adapters/a2a/project.js';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import type { manualClock } from '../../src/clock.js';
import { type A2aHarness, ACME_TOKEN, clientFactory, startA2aHarness } from '../helpers/a2a.js';

const EU_CONSUMER = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;

describe('A2A reads the stored profile, the one the feeds publish', () => {
  let harness: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    harness = await startA2aHarness();
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
    // The evaluation job's work, done here directly: store the profiles at the scenario's now.
    const runtime = catalogRuntime(harness.ctx);
    await runtime.evaluation.evaluateBatch(
      runtime.storesOf('acme'),
      ['BAG-TRAVEL-42'],
      harness.clock.nowMs(),
    );
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('when a stored profile is still current a minute later', () => {
    it('answers with the stored decisions, evaluated at the store time, not re-evaluated', async () => {
      const runtime = catalogRuntime(harness.ctx);
      const evaluatedAt = new Date(harness.clock.nowMs()).toISOString();
      (harness.clock as ReturnType<typeof manualClock>).advance(60_000);
      const stored = await runtime.profiles.lookup('acme', 'BAG-TRAVEL-42', EU_CONSUMER);
      expect(stored.source).toBe('stored');

      const result = await client.sendMessage(
        SendMessageRequest.fromJSON({
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
        }),
      );
      const task = result as Exclude<typeof result, Message>;
      const content = task.artifacts[0]?.parts[0]?.content;
      if (content?.$case !== 'data') throw new Error('no data artifact');
      const profile = content.value as { evaluatedAt: string; decisions: unknown[] };
      expect(profile.evaluatedAt).toBe(evaluatedAt);
      expect(profile.decisions).toEqual(stored.profile.decisions.map(projectDecision));
    });
  });
});

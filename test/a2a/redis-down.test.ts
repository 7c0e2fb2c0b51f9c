import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a2aFeature } from '../../src/app/a2a.js';
import type { AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { ACME_TOKEN } from '../helpers/a2a.js';
import { createTestContext } from '../helpers/test-context.js';

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('A2A when Redis is down', () => {
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    ctx = createTestContext({
      REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
      AUTH_TOKENS: `acme:${ACME_TOKEN}`,
    });
    app = await buildApp(ctx, [a2aFeature]);
  });
  afterAll(async () => {
    await app.close();
    ctx.redis.disconnect();
    ctx.producer.disconnect();
    await ctx.close();
  });

  it('answers SendMessage at once with HTTP 503 and a JSON-RPC error, instead of hanging', async () => {
    const started = performance.now();
    const response = await app.inject({
      method: 'POST',
      url: '/a2a',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ACME_TOKEN}`,
        'a2a-version': '1.0',
      },
      payload: {
        jsonrpc: '2.0',
        id: 9,
        method: 'SendMessage',
        params: {
          message: {
            messageId: randomUUID(),
            role: 'ROLE_USER',
            parts: [
              {
                data: {
                  action: 'get_return_terms',
                  productId: 'BAG-TRAVEL-42',
                  country: 'DE',
                  buyerType: 'consumer',
                },
              },
            ],
          },
        },
      },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ jsonrpc: '2.0', id: 9, error: { code: -32098 } });
    // Fail fast means well under the producer's 2 s connect timeout, not a hung request.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('still serves the agent card, which needs no Redis', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/agent-card.json' });
    expect(response.statusCode).toBe(200);
  });
});

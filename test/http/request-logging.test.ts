import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app-context.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { createLogger } from '../../src/logger.js';
import { testRedisEnv } from '../helpers/redis.js';

/**
 * Request logging: one access line per request (no headers, no body), and whatever a handler
 * logs through request.log bound to the request's id and redacted like every other line.
 */

const TOKEN = 'acme-token-logging-000000000001';

interface Line {
  msg: string;
  reqId?: string;
  method?: string;
  route?: string;
  statusCode?: number;
  responseTime?: number;
  token?: string;
}

describe('request logging', () => {
  const written: string[] = [];
  const lines = () => written.map((line) => JSON.parse(line) as Line);
  let app: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ...testRedisEnv(),
      KEY_PREFIX: `t-${id}`,
      QUEUE_PREFIX: `{q-${id}}`,
      AUTH_TOKENS: `acme:${TOKEN}`,
    });
    const logger = createLogger({ level: 'info' }, { write: (line) => void written.push(line) });
    const ctx = createAppContext(config, logger, systemClock);
    app = await buildApp(ctx, [
      {
        async tenantRoutes(scope) {
          scope.get('/v1/logs-a-secret', async (request) => {
            request.log.info({ token: 'tok_secret_in_handler' }, 'handled with a secret');
            return { ok: true };
          });
          scope.get('/v1/quiet/:id', async () => ({ ok: true }));
        },
      },
    ]);
    close = async () => {
      await app.close();
      await ctx.close();
    };
  });
  afterAll(() => close());

  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });

  it('writes one access line for a request that logs nothing else, with its route and status', async () => {
    written.length = 0;
    const response = await get('/v1/quiet/p-1');
    expect(response.statusCode).toBe(200);
    expect(lines()).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        method: 'GET',
        route: '/v1/quiet/:id',
        statusCode: 200,
        reqId: expect.any(String),
        responseTime: expect.any(Number),
      }),
    ]);
  });

  it("binds a handler's lines to the request's id and redacts them", async () => {
    written.length = 0;
    await get('/v1/logs-a-secret');
    const [handled, access] = lines();
    expect(handled).toMatchObject({ msg: 'handled with a secret', token: '[redacted]' });
    expect(access).toMatchObject({ msg: 'request completed', statusCode: 200 });
    expect(handled?.reqId).toBe(access?.reqId);
    expect(written.join('')).not.toContain('tok_secret_in_handler');
  });

  it('never writes the bearer token, for an accepted request or a refused one', async () => {
    written.length = 0;
    await get('/v1/quiet/p-2');
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/quiet/p-3',
      headers: { authorization: `Bearer ${TOKEN}-wrong` },
    });
    expect(refused.statusCode).toBe(401);
    expect(lines().map((line) => line.statusCode)).toEqual([200, 401]);
    expect(written.join('')).not.toContain(TOKEN);
  });
});

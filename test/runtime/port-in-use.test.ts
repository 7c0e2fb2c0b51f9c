import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListenAddress, ListenError } from '../../src/runtime/listen-check.js';
import { freePort, runServiceToExit } from '../helpers/service-process.js';

/** A real server holding a port on 127.0.0.1, as another process would. */
let occupant: Server;
let takenPort: number;

beforeAll(async () => {
  occupant = createServer((_request, response) => response.end('occupant')).listen(0, '127.0.0.1');
  await once(occupant, 'listening');
  takenPort = (occupant.address() as { port: number }).port;
});

afterAll(async () => {
  occupant.closeAllConnections();
  await new Promise<void>((resolve) => occupant.close(() => resolve()));
});

describe('checkListenAddress', () => {
  it('refuses a taken port with one line naming the port and PORT', async () => {
    const refused = await checkListenAddress('127.0.0.1', takenPort).catch((error) => error);
    expect(refused).toBeInstanceOf(ListenError);
    expect(refused.message).toBe(
      `port ${takenPort} on 127.0.0.1 is already in use: set PORT to a free port (or stop what listens there)`,
    );
  });

  it('passes a free port and leaves it free', async () => {
    const port = await freePort();
    await checkListenAddress('127.0.0.1', port);
    const again = createServer().listen(port, '127.0.0.1');
    await once(again, 'listening');
    again.close();
  });
});

describe('when the service is started on a port already in use', () => {
  it('says so in one line, exits 2, and starts nothing (not even its own Redis)', async () => {
    const redisPort = await freePort();
    const { code, stdout, stderr } = await runServiceToExit({
      // Development: with nothing answering at REDIS_URL the service would start its own Redis
      // and, with no provider URLs, sandbox providers — had it got that far.
      NODE_ENV: 'development',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'acw-port-')),
      HOST: '127.0.0.1',
      PORT: String(takenPort),
      ROLE: 'all',
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `port ${takenPort} on 127.0.0.1 is already in use: set PORT to a free port (or stop what listens there)\n`,
    );
    expect(stdout).toBe('');
    await expect(fetch(`http://127.0.0.1:${redisPort}`)).rejects.toThrow();
    // The occupant was not disturbed.
    expect(await (await fetch(`http://127.0.0.1:${takenPort}`)).text()).toBe('occupant');
  }, 30_000);
});

import type { TestProject } from 'vitest/node';
import { type PrivateRedis, startPrivateRedis } from '../src/store/private-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let privateRedis: PrivateRedis | undefined;

/**
 * Every test run gets its own throw-away `redis-server` on a free port (no persistence), unless
 * REDIS_URL points at one already. Test files share it and keep apart by unique key prefixes and
 * queue names, never by FLUSHALL. The integration and browser projects both name this file: the
 * first to start sets REDIS_URL, so the second shares its server and only the first stops it.
 */
export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  privateRedis = await startPrivateRedis({ persistence: 'none' });
  process.env.REDIS_URL = privateRedis.url;
  project.provide('redisUrl', privateRedis.url);
}

export async function teardown(): Promise<void> {
  await privateRedis?.stop();
}

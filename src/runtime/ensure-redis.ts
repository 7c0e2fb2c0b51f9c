import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import {
  type PrivateRedis,
  redisServerInstalled,
  startPrivateRedis,
} from '../store/private-redis.js';

async function answersPing(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export interface EnsuredRedis {
  url: string;
  privateServer?: PrivateRedis;
}

/**
 * Uses REDIS_URL when it answers (or REDIS_CLUSTER_NODES, never started here). Otherwise, for a local demo (not in production, unless
 * REDIS_AUTOSTART says so), starts a private redis-server under REDIS_DATA_DIR with AOF on, on the
 * port REDIS_URL names, and stops it on exit.
 */
export async function ensureRedis(config: Config, logger: Logger): Promise<EnsuredRedis> {
  // A cluster is the operator's: its nodes are checked by the connections' ready checks.
  if (config.REDIS_CLUSTER_NODES !== undefined) return { url: config.REDIS_URL };
  if (await answersPing(config.REDIS_URL)) return { url: config.REDIS_URL };
  const autostart = config.REDIS_AUTOSTART ?? config.NODE_ENV !== 'production';
  const url = new URL(config.REDIS_URL);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (!autostart || !local) {
    throw new Error(`Redis at ${url.host} does not answer. Start Redis or set REDIS_URL.`);
  }
  if (!redisServerInstalled()) {
    throw new Error(
      `No Redis answers at ${url.host} and redis-server is not installed. ` +
        'Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const port = Number(url.port || 6379);
  const dir = config.REDIS_DATA_DIR;
  const privateServer = await startPrivateRedis({ persistence: 'aof', port, dir });
  logger.warn(
    { port, dir },
    'no Redis was reachable: started a private redis-server (AOF on) for this process',
  );
  return { url: privateServer.url, privateServer };
}

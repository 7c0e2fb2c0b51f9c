import type { Logger } from '../logger.js';
import type { RedisClient } from '../store/redis.js';

export interface RedisSettingsReport {
  maxmemoryPolicy: string | undefined;
  appendonly: string | undefined;
  problems: string[];
}

async function configGet(redis: RedisClient, name: string): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
    return reply[1];
  } catch {
    // Managed Redis often disables CONFIG; say so rather than guess.
    return undefined;
  }
}

/**
 * Queues and the outbox live in Redis: an evicting policy silently drops jobs and effects, and no
 * persistence loses them on restart. Checked at start-up, reported loudly, never fatal (a demo
 * may run on a throw-away Redis).
 */
export async function checkRedisSettings(
  redis: RedisClient,
  logger: Logger,
): Promise<RedisSettingsReport> {
  const [maxmemoryPolicy, appendonly] = await Promise.all([
    configGet(redis, 'maxmemory-policy'),
    configGet(redis, 'appendonly'),
  ]);
  const problems: string[] = [];
  if (maxmemoryPolicy === undefined) {
    problems.push('could not read maxmemory-policy (CONFIG disabled?): make sure it is noeviction');
  } else if (maxmemoryPolicy !== 'noeviction') {
    problems.push(
      `maxmemory-policy is ${maxmemoryPolicy}, not noeviction: RedisClient may EVICT queued jobs and outbox entries under memory pressure`,
    );
  }
  if (appendonly === 'no') {
    problems.push(
      'appendonly is off: queued jobs and outbox entries since the last snapshot are lost on a Redis restart',
    );
  }
  for (const problem of problems)
    logger.warn({ redisSetting: true }, `!!! REDIS SETTING: ${problem}`);
  return { maxmemoryPolicy, appendonly, problems };
}

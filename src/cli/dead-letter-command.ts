import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { deliveryQueues } from '../queues/outbox-queues.js';
import { listDeadLetters, replayDeadLetter } from '../services/outbox/dead-letter.js';
import { connectRedis, redisTargetOf } from '../store/redis.js';
import type { CliIo } from './io.js';

const USAGE =
  'usage: acw dead-letter list --tenant TENANT [--limit N]\n' +
  '       acw dead-letter replay EFFECT_ID --tenant TENANT\n';

/**
 * `acw dead-letter list|replay`: the outbox's dead letter from the command line, against
 * REDIS_URL, with the same service the ops routes use. list prints JSON; replay exits 1 when the
 * effect is unknown or not dead-lettered.
 */
export async function deadLetterCommand(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr(`acw dead-letter: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, effectId, ...rest] = positionals;
  const tenant = values.tenant;
  const limit = Number(values.limit ?? '50');
  const valid =
    tenant !== undefined &&
    rest.length === 0 &&
    ((action === 'list' && effectId === undefined && Number.isInteger(limit) && limit > 0) ||
      (action === 'replay' && effectId !== undefined));
  if (!valid) {
    io.stderr(USAGE);
    return 2;
  }
  const config = io.config();
  const redis = connectRedis(redisTargetOf(config), 'store', { lazyConnect: false });
  const queues = deliveryQueues(redis, config);
  const deps = { redis, prefix: config.KEY_PREFIX, nowMs: systemClock.nowMs, queues };
  try {
    if (action === 'list') {
      const page = await listDeadLetters(deps, tenant, Math.min(limit, 500));
      io.stdout(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    const outcome = await replayDeadLetter(deps, tenant, effectId as string);
    if (outcome === 'replayed') {
      io.stdout(`replayed ${effectId}\n`);
      return 0;
    }
    io.stderr(
      `acw dead-letter: ${effectId} ${outcome === 'not_found' ? 'is unknown' : 'is not dead-lettered'}\n`,
    );
    return 1;
  } finally {
    await Promise.all(Object.values(queues).map((queue) => queue.close()));
    await redis.quit();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: { tenant: { type: 'string' }, limit: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
}

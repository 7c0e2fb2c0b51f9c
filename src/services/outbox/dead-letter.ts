import type { Queue } from 'bullmq';
import type { Provider } from '../../domain/index.js';
import { toInstant } from '../../domain/index.js';
import { deadLetterRecordJobId } from '../../queues/delivery-options.js';
import { type EffectView, OutboxStore } from '../../store/outbox-store.js';
import type { RedisClient } from '../../store/redis.js';

/**
 * The dead letter: effects that will not be retried on their own, with their history. Replay
 * puts one back in the outbox, due now, with its attempts reset; the drain delivers it under the
 * same Idempotency-Key as before.
 */
export interface DeadLetterDeps {
  redis: RedisClient;
  prefix: string;
  nowMs: () => number;
  queues: Record<Provider, Queue>;
}

export async function listDeadLetters(
  deps: Pick<DeadLetterDeps, 'redis' | 'prefix'>,
  tenant: string,
  limit: number,
  offset = 0,
): Promise<{ total: number; items: EffectView[] }> {
  return new OutboxStore(deps.redis, deps.prefix, tenant).listDead(limit, offset);
}

export type ReplayOutcome = 'replayed' | 'not_found' | 'not_dead';

export async function replayDeadLetter(
  deps: DeadLetterDeps,
  tenant: string,
  effectId: string,
): Promise<ReplayOutcome> {
  const outbox = new OutboxStore(deps.redis, deps.prefix, tenant);
  const view = await outbox.view(effectId);
  if (view === undefined) return 'not_found';
  if (view.status !== 'dead') return 'not_dead';
  // The failed job still holds the effect's job id; remove it first, or a later hand-off to a
  // job of its own would be deduplicated against it. A batch's record of a first-attempt dead
  // letter goes too.
  const queue = deps.queues[view.effect.provider];
  await Promise.all([queue.remove(effectId), queue.remove(deadLetterRecordJobId(effectId))]);
  const nowMs = deps.nowMs();
  return (await outbox.replay(effectId, nowMs, toInstant(nowMs))) ? 'replayed' : 'not_dead';
}

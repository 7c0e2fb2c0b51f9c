import { PROVIDERS } from '../domain/index.js';

/**
 * Which queues share a Redis Cluster hash tag, and so a slot and a shard. BullMQ's Lua scripts
 * touch many keys of one queue at once, so a queue's keys must share a slot; nothing we run
 * touches two queues atomically, so queues need not share one. Each group gets its own tag by
 * default, and so can live on its own shard:
 * - a provider's delivery queue: a slow or failing provider weighs on its own shard only;
 * - `intents`: A2A and MCP traffic, latency-sensitive;
 * - `evaluation`: profile evaluation, the bulk of the work as a catalog grows; with
 *   EVALUATION_QUEUE_SHARDS > 1 tenants spread over the queues `evaluate-profiles`,
 *   `evaluate-profiles-1`, … in the groups `evaluation`, `evaluation-1`, … (evaluationShardOf);
 * - `feeds`: feed publishing, few jobs, long ones;
 * - `scheduling`: the periodic jobs (drain, prune, sweep, pull, reconcile, drift audit).
 * A queue this table does not name is a group of its own.
 */
const GROUP_OF_QUEUE: Readonly<Record<string, string>> = {
  intents: 'intents',
  'evaluate-profiles': 'evaluation',
  'publish-feed': 'feeds',
  'sweep-due-profiles': 'scheduling',
  'pull-catalog': 'scheduling',
  'outbox-drain': 'scheduling',
  'outbox-prune': 'scheduling',
  'reconcile-payments': 'scheduling',
  'audit-drift': 'scheduling',
  ...Object.fromEntries(
    PROVIDERS.map((provider) => [`deliver-effect-${provider}`, `delivery-${provider}`]),
  ),
};

export const QUEUE_GROUPS: readonly string[] = [...new Set(Object.values(GROUP_OF_QUEUE))];

/** A group QUEUE_HASH_TAGS may name: one of QUEUE_GROUPS, or a shard's (`evaluation-2`). */
export function isQueueGroup(name: string): boolean {
  return QUEUE_GROUPS.includes(name) || /^evaluation-[1-9]\d*$/.test(name);
}

/**
 * The evaluation shard of a tenant, 0 … shards - 1 (EVALUATION_QUEUE_SHARDS): a tenant's
 * evaluation jobs all go to one shard's queue, so they stay one at a time, while tenants spread
 * over the shards and so over their own hash tags, slots and masters. FNV-1a of the tenant id.
 */
export function evaluationShardOf(tenant: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < tenant.length; i++) {
    hash ^= tenant.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** An evaluation shard's queue: `evaluate-profiles-<n>`, in the group `evaluation-<n>`. */
const EVALUATION_SHARD_QUEUE = /^evaluate-profiles-([1-9]\d*)$/;

export function queueGroupOf(queueName: string): string {
  const shard = EVALUATION_SHARD_QUEUE.exec(queueName)?.[1];
  if (shard !== undefined) return `evaluation-${shard}`;
  return GROUP_OF_QUEUE[queueName] ?? queueName;
}

/** The queue of evaluation shard `shard`: shard 0 is `evaluate-profiles` itself. */
export function evaluationQueueName(shard: number): string {
  return shard === 0 ? 'evaluate-profiles' : `evaluate-profiles-${shard}`;
}

/** What the prefix of a queue is made from: QUEUE_PREFIX and QUEUE_HASH_TAGS. */
export interface QueuePrefixSettings {
  /** `{name}`: the deployment's prefix; a group's default tag is `name-group`. */
  QUEUE_PREFIX: string;
  /** Group (or `*`, every group) → the tag its queues carry instead. */
  QUEUE_HASH_TAGS?: Readonly<Record<string, string>> | undefined;
}

/**
 * The BullMQ prefix of a queue: `{<tag>}`, the braces making the tag the queue's hash tag. The
 * tag is the group's in QUEUE_HASH_TAGS, else `*`'s there, else `<QUEUE_PREFIX's name>-<group>`.
 * QUEUE_HASH_TAGS=`*=acw` puts every queue back under `{acw}`, one slot, as before groups.
 */
export function queuePrefix(settings: QueuePrefixSettings, queueName: string): string {
  const group = queueGroupOf(queueName);
  const tags = settings.QUEUE_HASH_TAGS;
  const tag = tags?.[group] ?? tags?.['*'] ?? `${settings.QUEUE_PREFIX.slice(1, -1)}-${group}`;
  return `{${tag}}`;
}

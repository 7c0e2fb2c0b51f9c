import type { Redis } from 'ioredis';

/**
 * Measuring one phase of a bench: its rate, and the CPU it cost this process and redis-server
 * per item (INFO cpu), and what redis-server executed (INFO commandstats).
 */

/** CPU seconds used so far by this process and by redis-server. */
export async function cpuSeconds(probe: Redis): Promise<{ node: number; redis: number }> {
  const usage = process.cpuUsage();
  const info = await probe.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return {
    node: (usage.user + usage.system) / 1e6,
    redis: field('used_cpu_user') + field('used_cpu_sys'),
  };
}

/** Calls and microseconds per command as redis-server counts them (scripts' inner calls too). */
export async function commandStats(
  probe: Redis,
): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const line of (await probe.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match) stats.set(match[1] as string, { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

export interface Phase {
  perSecond: number;
  /** CPU microseconds per effect. */
  nodeUs: number;
  redisUs: number;
}

export async function measured(
  probe: Redis,
  count: number,
  run: () => Promise<void>,
): Promise<Phase> {
  const cpuBefore = await cpuSeconds(probe);
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSeconds(probe);
  return {
    perSecond: count / seconds,
    nodeUs: ((cpuAfter.node - cpuBefore.node) * 1e6) / count,
    redisUs: ((cpuAfter.redis - cpuBefore.redis) * 1e6) / count,
  };
}

/** The median of a non-empty list (the figure every bench reports across its rounds). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

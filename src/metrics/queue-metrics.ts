import type { Queue } from 'bullmq';

/**
 * BullMQ's exportPrometheusMetrics() prints HELP and TYPE for every queue; a scrape must carry
 * each family's HELP and TYPE once, so the queues' outputs are merged family by family.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  const family = (name: string) => {
    let entry = families.get(name);
    if (entry === undefined) {
      entry = { samples: [] };
      families.set(name, entry);
    }
    return entry;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (meta) {
        const entry = family(meta[2] as string);
        if (meta[1] === 'HELP') entry.help ??= line;
        else entry.type ??= line;
        continue;
      }
      const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
      if (name !== undefined) family(name).samples.push(line);
    }
  }
  const out: string[] = [];
  for (const entry of families.values()) {
    if (entry.help) out.push(entry.help);
    if (entry.type) out.push(entry.type);
    out.push(...entry.samples);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export async function queueExposition(queues: readonly Queue[]): Promise<string> {
  const texts = await Promise.all(
    queues.map((queue) => queue.exportPrometheusMetrics({ service: 'acw' })),
  );
  return mergeExpositions(texts);
}

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './import-arrows.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every value a module exports, one level into exported objects (`CATALOG_QUEUE_NAMES.evaluate`). */
function exportedValues(module: Record<string, unknown>): unknown[] {
  return Object.values(module).flatMap((value) =>
    value !== null && typeof value === 'object' && !('safeParse' in value)
      ? [value, ...Object.values(value)]
      : [value],
  );
}

describe('queue files', () => {
  describe('each jobs/<name>.job.ts', () => {
    it("takes its queue name and payload schema from its queue group's file in src/queues", async () => {
      const queueFiles = sourceFiles(ROOT, ['src/queues']).filter((file) =>
        file.endsWith('-queues.ts'),
      );
      const declared = new Set(
        (await Promise.all(queueFiles.map((file) => import(`../../${file}`)))).flatMap(
          exportedValues,
        ),
      );
      const jobFiles = sourceFiles(ROOT, ['jobs']).filter((file) => file.endsWith('.job.ts'));
      expect(jobFiles.length).toBeGreaterThanOrEqual(9);

      const astray: string[] = [];
      for (const file of jobFiles) {
        const job = (await import(`../../${file}`)) as { queue?: unknown; PayloadSchema?: unknown };
        if (typeof job.queue !== 'string' || !declared.has(job.queue))
          astray.push(`${file}: queue name not declared in src/queues`);
        if (job.PayloadSchema === undefined || !declared.has(job.PayloadSchema))
          astray.push(`${file}: PayloadSchema not declared in src/queues`);
      }
      expect(astray).toEqual([]);
    });
  });
});

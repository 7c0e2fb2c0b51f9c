import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arrowsOf, arrowsUnder, type LayerRule, wrongArrows } from './import-arrows.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * DESIGN.md: "app → http/jobs/feeds → adapters/services → domain; services →
 * store/providers/queues. The domain imports nothing of ours but itself; the store imports no
 * service; services import no adapter and no job." Each row is one of those sentences. src/app
 * is the top: only the entry points (src/main.ts, the CLI) import it; demo seeding is a service
 * the app calls, so src/demo sits below it.
 */
const RULES: readonly LayerRule[] = [
  { layer: 'src/domain', only: [], why: 'the domain imports nothing of ours but itself' },
  {
    layer: 'src/store',
    never: ['src/services', 'src/adapters', 'src/http', 'src/app', 'jobs', 'feeds'],
    why: 'the store imports no service and nothing above it',
  },
  {
    layer: 'src/services',
    never: ['src/adapters', 'jobs', 'feeds', 'src/http'],
    why: 'services import no adapter, no job and no ingress',
  },
  {
    layer: 'src/http',
    never: ['src/store'],
    why: 'routes reach the stores only through services',
  },
  {
    layer: 'src/adapters',
    never: ['src/store', 'jobs'],
    why: 'adapters translate; they never read the store',
  },
  {
    layer: 'jobs',
    never: ['src/app'],
    why: 'the wiring starts the jobs; a job never imports it',
  },
  {
    layer: 'feeds',
    never: ['src/app'],
    why: 'the wiring builds the feed publisher; a feed never imports it',
  },
  {
    layer: 'src/demo',
    never: ['src/app', 'src/http', 'src/adapters', 'jobs', 'feeds'],
    why: 'demo seeding is a service the wiring calls; it imports nothing above services',
  },
  ...[
    'src/http',
    'src/services',
    'src/adapters',
    'src/runtime',
    'src/metrics',
    'src/providers',
  ].map((layer) => ({
    layer,
    never: ['src/app'],
    why: 'what the wiring is built from never imports the wiring',
  })),
  {
    layer: 'src/queues',
    never: ['src/services', 'src/adapters', 'src/http', 'src/app', 'jobs', 'feeds'],
    why: 'a queue names its payload; services and jobs import it, never the reverse',
  },
];

describe('import directions', () => {
  describe('in src, jobs and feeds', () => {
    it('point the way DESIGN.md draws them', () => {
      const arrows = arrowsUnder(ROOT, ['src', 'jobs', 'feeds']);
      // The walk found the code it checks (an empty walk would pass anything).
      expect(arrows.length).toBeGreaterThan(300);
      expect(wrongArrows(arrows, RULES)).toEqual([]);
    });
  });

  describe('when a file imports against the arrows', () => {
    it('names the file, the line and the rule', () => {
      const arrows = [
        ...arrowsOf(
          'src/store/task-store.ts',
          "import { z } from 'zod';\nimport type { Task } from '../services/task.js';\n",
        ),
        ...arrowsOf(
          'src/services/tasks.ts',
          "import {\n  job,\n} from '../../jobs/task.job.js';\nimport { x } from './task.js';\n",
        ),
        ...arrowsOf('src/domain/rule.ts', "export * from '../clock.js';\n"),
        ...arrowsOf(
          'src/http/routes/things.ts',
          "import type { Runtime } from '../../app/catalog-runtime.js';\n",
        ),
      ];
      expect(wrongArrows(arrows, RULES)).toEqual([
        'src/store/task-store.ts:2 → src/services/task.ts (the store imports no service and nothing above it)',
        'src/services/tasks.ts:3 → jobs/task.job.ts (services import no adapter, no job and no ingress)',
        'src/domain/rule.ts:1 → src/clock.ts (the domain imports nothing of ours but itself)',
        'src/http/routes/things.ts:1 → src/app/catalog-runtime.ts (what the wiring is built from never imports the wiring)',
      ]);
    });
  });
});

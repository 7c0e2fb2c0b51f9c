import type { AppContext } from '../app-context.js';
import type { ReadinessSources } from '../services/readiness-data.js';
import { readinessSources } from '../services/readiness-sources.js';
import { catalogRuntime } from './catalog-runtime.js';

/** The readiness page's sources over this process's catalog wiring. */
export function readinessSourcesOf(ctx: AppContext): ReadinessSources {
  return readinessSources(ctx, catalogRuntime(ctx));
}

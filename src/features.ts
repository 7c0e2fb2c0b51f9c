import type { Feature } from './feature.js';
import { a2aFeature } from './features/a2a.js';
import { catalogFeature } from './features/catalog.js';
import { checkoutFeature } from './features/checkout.js';
import { driftFeature } from './features/drift.js';
import { feedsFeature } from './features/feeds.js';
import { operationsFeature } from './features/operations.js';
import { readinessSources } from './services/readiness-sources.js';

/** Every feature of the service, in start order. main.ts runs the parts each role needs. */
export const FEATURES: readonly Feature[] = [
  catalogFeature,
  feedsFeature,
  checkoutFeature,
  a2aFeature,
  driftFeature,
];

/** What the ingress serves: the features plus health, metrics and the operator pages over them. */
export const INGRESS_FEATURES: readonly Feature[] = [
  ...FEATURES,
  operationsFeature(() => FEATURES, readinessSources),
];

/** What a worker or scheduler process serves: health, metrics and the dashboard only. */
export const OPERATIONS_ONLY: readonly Feature[] = [operationsFeature(() => FEATURES)];

import { a2aFeature } from './a2a.js';
import { acpFeature } from './acp.js';
import { ap2Feature } from './ap2.js';
import { catalogFeature } from './catalog.js';
import { checkoutFeature } from './checkout.js';
import { driftFeature } from './drift.js';
import type { Feature } from './feature.js';
import { feedsFeature } from './feeds.js';
import { mcpFeature } from './mcp.js';
import { operationsFeature } from './operations.js';
import { readinessSourcesOf } from './readiness.js';
import { subscriptionsFeature } from './subscriptions.js';
import { ucpFeature } from './ucp.js';

/** Every feature of the service, in start order. main.ts runs the parts each role needs. */
export const FEATURES: readonly Feature[] = [
  catalogFeature,
  feedsFeature,
  checkoutFeature,
  a2aFeature,
  mcpFeature,
  acpFeature,
  ucpFeature,
  ap2Feature,
  driftFeature,
  subscriptionsFeature,
];

/** What the ingress serves: the features plus health, metrics and the operator pages over them. */
export const INGRESS_FEATURES: readonly Feature[] = [
  ...FEATURES,
  operationsFeature(() => FEATURES, readinessSourcesOf),
];

/** What a worker or scheduler process serves: health, metrics and the dashboard only. */
export const OPERATIONS_ONLY: readonly Feature[] = [operationsFeature(() => FEATURES)];

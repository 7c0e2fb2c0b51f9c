import type { Feature } from './feature.js';
import { catalogFeature } from './features/catalog.js';
import { feedsFeature } from './features/feeds.js';

/** Every feature of the service, in start order. main.ts runs the parts each role needs. */
export const FEATURES: readonly Feature[] = [catalogFeature, feedsFeature];

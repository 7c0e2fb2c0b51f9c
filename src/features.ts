import type { Feature } from './feature.js';
import { a2aFeature } from './features/a2a.js';

/** Every feature of the service, in start order. main.ts runs the parts each role needs. */
export const FEATURES: readonly Feature[] = [a2aFeature];

import type { Feature } from './feature.js';
import { checkoutFeature } from './features/checkout.js';

/** Every feature of the service, in start order. main.ts runs the parts each role needs. */
export const FEATURES: readonly Feature[] = [checkoutFeature];

import { z } from 'zod';
import { BUYER_TYPES, CHANNELS } from '../../domain/index.js';

/**
 * The evaluation context as a tool argument: the same three fields as everywhere, with the
 * defaults an agent buying for a consumer would mean. Regions are the ones this deployment
 * keeps profiles for (config), so a tool never answers for a market nobody sells in.
 */
export function contextArgument(regions: readonly [string, ...string[]]) {
  return z
    .object({
      region: z
        .enum(regions)
        .describe('Selling region the answer is for, e.g. EU or US.')
        .default(regions[0]),
      buyerType: z
        .enum(BUYER_TYPES)
        .describe('Who buys: a consumer or a business.')
        .default('consumer'),
      channel: z.enum(CHANNELS).describe('Where the request comes from.').default('agent'),
    })
    .strict()
    .describe(
      'The market and buyer the answer is for; defaults to the first region, consumer, agent.',
    );
}

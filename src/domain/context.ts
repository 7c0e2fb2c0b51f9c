import { z } from 'zod';

export const BUYER_TYPES = ['consumer', 'business'] as const;
export const CHANNELS = ['storefront', 'agent', 'marketplace', 'support'] as const;

export const BuyerTypeSchema = z.enum(BUYER_TYPES);
export const ChannelSchema = z.enum(CHANNELS);
export type BuyerType = z.infer<typeof BuyerTypeSchema>;
export type Channel = z.infer<typeof ChannelSchema>;

/** A selling region, such as EU or US (upper case). Country → region mapping lives in adapters. */
export const RegionSchema = z.string().regex(/^[A-Z][A-Z0-9_-]{1,15}$/, {
  message: 'must be an upper-case region code such as EU or US',
});

/** The context a decision is made for: the same product can be ready in one and not in another. */
export const EvaluationContextSchema = z.object({
  region: RegionSchema,
  buyerType: BuyerTypeSchema,
  channel: ChannelSchema,
});
export type EvaluationContext = z.infer<typeof EvaluationContextSchema>;

/** Default contexts a tenant's profiles are kept for: EU/US × consumer/business × agent. */
export const DEFAULT_CONTEXTS: readonly EvaluationContext[] = [
  { region: 'EU', buyerType: 'consumer', channel: 'agent' },
  { region: 'EU', buyerType: 'business', channel: 'agent' },
  { region: 'US', buyerType: 'consumer', channel: 'agent' },
  { region: 'US', buyerType: 'business', channel: 'agent' },
];

/** A context written `REGION:buyerType:channel` (e.g. `EU:consumer:agent`), as settings and requests name one. */
export const ContextParameterSchema = z.string().transform((value, ctx) => {
  const [region, buyerType, channel, ...rest] = value.split(':');
  const parsed = EvaluationContextSchema.safeParse({ region, buyerType, channel });
  if (rest.length > 0 || !parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} is not REGION:buyerType:channel (e.g. EU:consumer:agent)`,
    });
    return z.NEVER;
  }
  return parsed.data;
});

export function contextKey(context: EvaluationContext): string {
  return `${context.region}|${context.buyerType}|${context.channel}`;
}

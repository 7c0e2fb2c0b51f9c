import { z } from 'zod';

/** What an agent can ask of a product, in commercial terms, never in a protocol's words. */
export const COMMERCE_ACTIONS = [
  'discover',
  'compare',
  'quote_policy',
  'add_to_cart',
  'prepare_checkout',
  'delegate_payment',
] as const;
export const CommerceActionSchema = z.enum(COMMERCE_ACTIONS);
export type CommerceAction = z.infer<typeof CommerceActionSchema>;

/** Listed from least to most severe; the order is the severity. */
export const DECISION_RESULTS = [
  'allowed',
  'requires_revalidation',
  'requires_review',
  'blocked',
] as const;
export const DecisionResultSchema = z.enum(DECISION_RESULTS);
export type DecisionResult = z.infer<typeof DecisionResultSchema>;

const SEVERITY: Readonly<Record<DecisionResult, number>> = {
  allowed: 0,
  requires_revalidation: 1,
  requires_review: 2,
  blocked: 3,
};

export function severityOf(result: DecisionResult): number {
  return SEVERITY[result];
}

export function moreSevere(a: DecisionResult, b: DecisionResult): DecisionResult {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function mostSevere(results: Iterable<DecisionResult>): DecisionResult {
  let worst: DecisionResult = 'allowed';
  for (const result of results) worst = moreSevere(worst, result);
  return worst;
}

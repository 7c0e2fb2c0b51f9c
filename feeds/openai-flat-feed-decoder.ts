import { z } from 'zod';
import type { DecisionClaim, SurfaceReading } from '../src/domain/surface-claims.js';

/**
 * Reads an OpenAI flat feed row back into what it claims: `is_eligible_search` is the discover
 * decision; `is_eligible_checkout` is prepare_checkout only where search is on (the reference
 * allows checkout only with search), so with search off it says nothing about checkout. A
 * product left out of the file (null: its listing was incomplete) claims nothing. The spec of
 * projectOpenAiFlatItem.
 */
const OpenAiFlatWireSchema = z.object({
  item_id: z.string(),
  is_eligible_search: z.boolean(),
  is_eligible_checkout: z.boolean(),
});

export function decodeOpenAiFlatItem(wire: unknown): SurfaceReading {
  if (wire === null) return { claims: [] };
  const row = OpenAiFlatWireSchema.parse(wire);
  const claims: DecisionClaim[] = [
    { action: 'discover', result: row.is_eligible_search ? 'allowed' : 'not_allowed' },
  ];
  if (row.is_eligible_checkout) claims.push({ action: 'prepare_checkout', result: 'allowed' });
  else if (row.is_eligible_search)
    claims.push({ action: 'prepare_checkout', result: 'not_allowed' });
  return { claims };
}

import { type CapabilityRegistry, parentsOf } from './capabilities.js';
import type { NegotiatedCapability } from './negotiated.js';

/**
 * The Intersection Algorithm of overview.md ("Negotiation Protocol"), pure:
 *
 * 1. each business capability the platform also names is a candidate;
 * 2. its version is the highest one present in BOTH arrays; no mutual version excludes it;
 * 3. a capability whose `extends` names no capability left in the result is removed (a
 *    multi-parent extension needs at least one parent);
 * 4. step 3 repeats until nothing more is removed (an extension of an extension falls with it).
 *
 * The business's declaration is the one kept (its `extends` decides the parents): the answer
 * describes what we serve.
 */
export function intersection(
  business: CapabilityRegistry,
  platform: CapabilityRegistry,
): Record<string, NegotiatedCapability> {
  const result: Record<string, NegotiatedCapability> = {};
  for (const [name, ours] of Object.entries(business)) {
    const theirs = new Set((platform[name] ?? []).map((declaration) => declaration.version));
    // Versions are YYYY-MM-DD, so the latest date is the greatest string.
    const mutual = ours
      .filter((declaration) => theirs.has(declaration.version))
      .sort((a, b) => (a.version < b.version ? 1 : a.version > b.version ? -1 : 0))[0];
    if (mutual === undefined) continue;
    result[name] =
      mutual.extends === undefined
        ? { version: mutual.version }
        : {
            version: mutual.version,
            extends: typeof mutual.extends === 'string' ? mutual.extends : [...mutual.extends],
          };
  }
  for (let pruned = true; pruned; ) {
    pruned = false;
    for (const [name, capability] of Object.entries(result)) {
      if (capability.extends === undefined) continue;
      if (parentsOf(capability.extends).some((parent) => parent in result)) continue;
      delete result[name];
      pruned = true;
    }
  }
  return result;
}

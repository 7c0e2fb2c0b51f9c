import { describe, expect, it } from 'vitest';
import { decodeMcpProfile, decodeMcpSearchItem } from '../../src/adapters/mcp/decode.js';
import { productSurfaces } from '../../src/adapters/surfaces.js';
import { evaluateProduct, PolicyIndex, toMs } from '../../src/domain/index.js';
import { disagreements } from '../../src/domain/surface-claims.js';
import { travelBackpack } from '../helpers/a2a.js';

/**
 * The MCP decoders (src/adapters/mcp/decode.ts) read get_product_readiness's structuredContent
 * and a search_products item back into claims; here they catch a projection that says more
 * than the domain, as the consistency property and the drift audit rely on them to.
 */
const doc = travelBackpack();
const [bag] = doc.products;
if (bag === undefined) throw new Error('no backpack in the fixture');
const nowMs = toMs(doc.now);
const EU = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const truth = evaluateProduct(bag, new PolicyIndex(doc.policies), EU, nowMs);

function surface(name: 'mcp' | 'mcp_search') {
  const found = productSurfaces({}).find((s) => s.name === name);
  if (found === undefined) throw new Error(`no ${name} surface`);
  return found;
}

interface WireDecision {
  action: string;
  policyDomain?: string;
  result: string;
  blockers: { code: string }[];
}

describe('decodeMcpProfile', () => {
  const wire = () =>
    surface('mcp').wire({ product: bag, profile: truth, nowMs }) as {
      decisions: WireDecision[];
    };

  it('reads the Travel Backpack projection back to the domain decisions', () => {
    const reading = decodeMcpProfile(wire());
    expect(reading.claims).toHaveLength(truth.decisions.length);
    expect(disagreements(reading, truth)).toEqual([]);
    const returns = reading.claims.find((c) => c.policyDomain === 'returns');
    expect(returns).toEqual({
      action: 'quote_policy',
      policyDomain: 'returns',
      result: 'blocked',
      blockers: ['RETURN_POLICY_MISSING'],
    });
  });

  it('catches a projection that quotes returns the domain blocks', () => {
    const corrupted = wire();
    const returns = corrupted.decisions.find((d) => d.policyDomain === 'returns');
    if (returns === undefined) throw new Error('no returns decision');
    returns.result = 'allowed';
    returns.blockers = [];
    expect(disagreements(decodeMcpProfile(corrupted), truth)).toEqual([
      {
        action: 'quote_policy',
        policyDomain: 'returns',
        kind: 'optimistic',
        claimed: 'allowed',
        actual: 'blocked',
      },
    ]);
  });

  it('catches blockers that are not the domain ones', () => {
    const corrupted = wire();
    const prepare = corrupted.decisions.find((d) => d.action === 'prepare_checkout');
    prepare?.blockers.pop();
    expect(disagreements(decodeMcpProfile(corrupted), truth).map((d) => d.kind)).toEqual([
      'mismatch',
    ]);
  });

  it('refuses a wire form that is not a readiness result', () => {
    expect(() => decodeMcpProfile({ productId: 'X', found: true })).toThrow();
    expect(() =>
      decodeMcpProfile({ productId: 'X', found: true, decisions: [{ action: 'buy_now' }] }),
    ).toThrow();
  });
});

describe('decodeMcpSearchItem', () => {
  it('reads the search item back, and catches an add_to_cart said to be allowed', () => {
    const wire = surface('mcp_search').wire({ product: bag, profile: truth, nowMs }) as {
      actions: { action: string; result: string; blockers: string[] }[];
    };
    expect(disagreements(decodeMcpSearchItem(wire), truth)).toEqual([]);
    const addToCart = wire.actions.find((a) => a.action === 'add_to_cart');
    if (addToCart === undefined) throw new Error('no add_to_cart');
    addToCart.result = 'allowed';
    addToCart.blockers = [];
    expect(disagreements(decodeMcpSearchItem(wire), truth).map((d) => d.kind)).toEqual([
      'optimistic',
    ]);
  });

  it('reads a product search leaves out as "not discoverable", never as a claim about the rest', () => {
    expect(decodeMcpSearchItem(null)).toEqual({
      claims: [{ action: 'discover', result: 'not_allowed' }],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { checkoutTools } from '../../src/adapters/mcp/checkout-tools.js';
import { toolCallKey } from '../../src/adapters/mcp/tool-idempotency.js';

const tools = checkoutTools(['EU', 'US']);
/** The arguments as the tool runner hands them over: validated, defaults filled in. */
const add = (args: Record<string, unknown>) => tools.addToCart.input.parse(args);

describe('toolCallKey', () => {
  describe('without an idempotencyKey argument', () => {
    it('gives an identical call the same derived key', () => {
      const a = toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P', quantity: 1 }));
      const b = toolCallKey('bearer-a', 'add_to_cart', add({ quantity: 1, productId: 'P' }));
      expect(a).toEqual(b);
      expect(a).toMatchObject({
        derived: true,
        key: expect.stringMatching(/^mcp-call-[0-9a-f]{64}$/),
      });
    });

    it('spells an omitted default and the default sent as one call', () => {
      expect(toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P' }))).toEqual(
        toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P', quantity: 1 })),
      );
    });

    it('keeps calls apart by argument, tool and credential', () => {
      const base = toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P' })).key;
      const others = [
        toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P', quantity: 2 })),
        toolCallKey('bearer-a', 'add_to_cart', add({ productId: 'P', checkoutId: 'co_1' })),
        toolCallKey('bearer-a', 'remove_from_cart', add({ productId: 'P' })),
        toolCallKey('bearer-b', 'add_to_cart', add({ productId: 'P' })),
      ].map((keyed) => keyed.key);
      expect(new Set([base, ...others]).size).toBe(5);
    });
  });

  describe('with an idempotencyKey argument', () => {
    it('keys on the credential and the key alone, so other arguments under it conflict', () => {
      const a = toolCallKey(
        'bearer-a',
        'add_to_cart',
        add({ productId: 'P', idempotencyKey: 'k' }),
      );
      const b = toolCallKey('bearer-a', 'prepare_checkout', {
        checkoutId: 'x',
        idempotencyKey: 'k',
      });
      expect(a).toEqual(b);
      expect(a).toMatchObject({
        derived: false,
        key: expect.stringMatching(/^mcp-key-[0-9a-f]{64}$/),
      });
      expect(
        toolCallKey('bearer-b', 'add_to_cart', add({ productId: 'P', idempotencyKey: 'k' })).key,
      ).not.toBe(a.key);
    });
  });
});

import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { A2aHarness } from '../helpers/a2a.js';
import {
  ap2Over,
  type MandateKnobs,
  merchantSignedClaims,
  type TestKey,
  testKey,
} from '../helpers/mandate-issuer.js';
import { ACME_TOKEN, connectClient, startMcpHarness, structuredOf } from '../helpers/mcp.js';
import { CheckedTools, errorTextOf } from '../helpers/mcp-results.js';

/**
 * AP2 mandates over MCP with the official SDK client: prepare_checkout, sign_checkout, then
 * complete_checkout with `ap2`. Every result is checked against the MCP schema and the tool's
 * own output schema (CheckedTools).
 */

interface StepOut {
  outcome: 'applied' | 'refused';
  decision: { result: string; blockers: { code: string }[] };
  checkout: { checkoutId: string; state: string };
  ap2Receipt?: string;
}

describe('AP2 mandates over MCP complete_checkout', () => {
  let harness: A2aHarness;
  let client: Client;
  let tools: CheckedTools;
  let issuer: TestKey;
  let agent: TestKey;

  beforeAll(async () => {
    [issuer, agent] = await Promise.all([testKey('agent-provider-1'), testKey('agent-key')]);
    harness = await startMcpHarness({
      catalog: 'ready',
      env: { AP2_TRUSTED_ISSUERS_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }) },
    });
    client = await connectClient(harness.baseUrl, ACME_TOKEN);
    tools = await CheckedTools.of(client);
  });
  afterAll(async () => {
    await client?.close();
    await harness?.close();
  });

  const step = async (name: string, args: Record<string, unknown>) =>
    structuredOf<StepOut>(await tools.call(name, args));

  /** A prepared cart of two backpacks, signed over MCP, and mandates over its checkout JWT. */
  async function signedCart(knobs: MandateKnobs = {}) {
    const added = await step('add_to_cart', {
      productId: 'BAG-TRAVEL-42',
      quantity: 2,
      idempotencyKey: crypto.randomUUID(),
    });
    const checkoutId = added.checkout.checkoutId;
    expect((await step('prepare_checkout', { checkoutId })).outcome).toBe('applied');
    const signed = structuredOf<{ checkoutJwt: string; nonce: string; audience: string }>(
      await tools.call('sign_checkout', { checkoutId }),
    );
    expect(signed.audience).toBe('acme');
    return {
      checkoutId,
      ap2: await ap2Over(signed, { issuer, agent, nowMs: harness.clock.nowMs() }, knobs),
    };
  }

  it('pays with valid mandates', async () => {
    const { checkoutId, ap2 } = await signedCart();
    const paid = await step('complete_checkout', { checkoutId, ap2 });
    expect(paid).toMatchObject({ outcome: 'applied', decision: { result: 'allowed' } });
    expect(await merchantSignedClaims(harness.ctx, paid.ap2Receipt)).toMatchObject({
      status: 'Success',
      order_id: `ord_${checkoutId.slice(3)}`,
      reference: expect.any(String),
    });
  });

  it('refuses mandates from an untrusted issuer as a decision, naming the blocker', async () => {
    const { checkoutId, ap2 } = await signedCart({ issuer: await testKey('stranger') });
    const refused = await step('complete_checkout', { checkoutId, ap2 });
    expect(refused.outcome).toBe('refused');
    expect(refused.decision.blockers.map((b) => b.code)).toEqual(['MANDATE_ISSUER_UNTRUSTED']);
    expect(await merchantSignedClaims(harness.ctx, refused.ap2Receipt)).toMatchObject({
      status: 'Error',
      error: 'invalid_credential',
      error_description: expect.stringContaining('MANDATE_ISSUER_UNTRUSTED'),
    });
    expect(harness.sandbox?.payment.capturesByCheckout.get(checkoutId)).toBeUndefined();
  });

  it('answers an error for both authorities at once, or none', async () => {
    const { checkoutId, ap2 } = await signedCart();
    const none = await tools.call('complete_checkout', { checkoutId });
    expect(errorTextOf(none)).toMatch(/exactly one payment authority/);
    const both = await tools.call('complete_checkout', {
      checkoutId,
      ap2,
      allowance: {
        reason: 'one_time',
        max_amount: 1,
        currency: 'eur',
        checkout_session_id: checkoutId,
        merchant_id: 'acme',
        expires_at: '2099-01-01T00:00:00Z',
      },
    });
    expect(errorTextOf(both)).toMatch(/exactly one payment authority/);
  });

  it('will not sign a cart that is not prepared', async () => {
    const added = await step('add_to_cart', {
      productId: 'BAG-TRAVEL-42',
      idempotencyKey: crypto.randomUUID(),
    });
    const result = await tools.call('sign_checkout', { checkoutId: added.checkout.checkoutId });
    expect(errorTextOf(result)).toMatch(/prepare it/);
  });
});

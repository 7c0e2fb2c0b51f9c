import { randomUUID } from 'node:crypto';
import { type Message, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowanceRefOf } from '../../src/adapters/acp/to-mandate.js';
import type { CheckoutRecord } from '../../src/domain/index.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { type A2aHarness, ACME_TOKEN, clientFactory, startA2aHarness } from '../helpers/a2a.js';
import { AGENT_ACTOR, allowanceFor, EU_AGENT } from '../helpers/checkout-fixtures.js';
import { type CheckoutHarness, startCheckoutHarness, TOKEN } from '../helpers/checkout-harness.js';

/**
 * One ACP allowance, two entry points: the HTTP checkout API and an A2A message both map it
 * through adapters/acp/, so the decision that starts the payment names the same authority in
 * its evidence, and the payment carries the same reference to the provider.
 */

/** The authority references of a decision's evidence, as `type:id` (A2A's `evidenceIds`). */
const authorityIds = (ids: readonly string[]) =>
  ids.filter((id) => id.startsWith('authority_record:'));

describe('the authority reference of one ACP allowance', () => {
  let http: CheckoutHarness;
  let a2a: A2aHarness;
  let client: Client;

  beforeAll(async () => {
    [http, a2a] = await Promise.all([
      startCheckoutHarness({ workers: false }),
      startA2aHarness({ catalog: 'ready' }),
    ]);
    client = await clientFactory(ACME_TOKEN).createFromUrl(a2a.baseUrl);
  });
  afterAll(async () => {
    await Promise.all([http?.close(), a2a?.close()]);
  });

  /** Create, add, prepare and complete over HTTP; the complete answer's evidence and payment. */
  async function overHttp(expiresFromMs: number) {
    const send = async (url: string, payload: unknown) => {
      const response = await http.app.inject({
        method: 'POST',
        url,
        payload: payload as Record<string, unknown>,
        headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': randomUUID() },
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json();
    };
    const created = await send('/v1/checkouts', { context: EU_AGENT });
    const id = created.checkout.id as string;
    await send(`/v1/checkouts/${id}/items`, { productId: 'BAG-TRAVEL-42', quantity: 1 });
    await send(`/v1/checkouts/${id}/prepare`, {});
    const allowance = allowanceFor(id, 12_900, expiresFromMs);
    const completed = await send(`/v1/checkouts/${id}/complete`, {
      allowance,
      actor: AGENT_ACTOR,
    });
    expect(completed).toMatchObject({ outcome: 'applied', decision: { result: 'allowed' } });
    return {
      allowance,
      evidence: (completed.decision.evidenceRefs as { type: string; id: string }[]).map(
        (ref) => `${ref.type}:${ref.id}`,
      ),
      paymentRef: completed.checkout.payments[0].allowanceRef as string,
    };
  }

  /** The same steps as A2A messages; the delegate_payment artifact's evidence and payment. */
  async function overA2a(expiresFromMs: number) {
    const step = async (data: Record<string, unknown>) => {
      const result = await client.sendMessage(
        SendMessageRequest.fromJSON({
          message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }] },
        }),
      );
      const task = result as Exclude<typeof result, Message>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const content = task.artifacts[0]?.parts[0]?.content;
      if (content?.$case !== 'data') throw new Error('the task has no data artifact');
      return content.value as unknown as {
        outcome: string;
        result: string;
        evidenceIds: string[];
        checkout: { id: string };
      };
    };
    const added = await step({
      action: 'add_to_cart',
      productId: 'BAG-TRAVEL-42',
      quantity: 1,
      country: 'DE',
      buyerType: 'consumer',
    });
    const id = added.checkout.id;
    await step({ action: 'prepare_checkout', cartId: id });
    const allowance = allowanceFor(id, 12_900, expiresFromMs);
    const delegated = await step({ action: 'delegate_payment', checkoutId: id, allowance });
    expect(delegated).toMatchObject({ outcome: 'applied', result: 'allowed' });
    // What the agent may see of a payment leaves its authority out; the stored one has it.
    const stored = await new CheckoutStore(a2a.ctx.redis, a2a.ctx.config.KEY_PREFIX, 'acme').load(
      id,
    );
    const checkout = JSON.parse(stored?.doc ?? 'null') as CheckoutRecord;
    return {
      allowance,
      evidence: delegated.evidenceIds,
      paymentRef: checkout.payments[0]?.allowanceRef,
    };
  }

  it('is the same on the HTTP and the A2A path: the one mapping of adapters/acp', async () => {
    const expiresFromMs = Date.parse('2030-01-01T00:00:00Z');
    const viaHttp = await overHttp(expiresFromMs);
    const viaA2a = await overA2a(expiresFromMs);

    expect(authorityIds(viaHttp.evidence)).toEqual([
      `authority_record:${allowanceRefOf(viaHttp.allowance)}`,
    ]);
    expect(authorityIds(viaA2a.evidence)).toEqual([
      `authority_record:${allowanceRefOf(viaA2a.allowance)}`,
    ]);
    // Each path's allowance names its own checkout session; with the session taken out, the two
    // references are the same string: same kind prefix, same expiry, same layout.
    const shape = (evidence: string[], session: string) =>
      authorityIds(evidence).map((id) => id.replace(session, '<session>'));
    expect(shape(viaHttp.evidence, viaHttp.allowance.checkout_session_id)).toEqual(
      shape(viaA2a.evidence, viaA2a.allowance.checkout_session_id),
    );
    expect(shape(viaHttp.evidence, viaHttp.allowance.checkout_session_id)).toEqual([
      'authority_record:acp_allowance:<session>:2030-01-01T01:00:00.000Z',
    ]);
    // The payment carries the same reference to the provider (the authorize request's body).
    expect(viaHttp.paymentRef).toBe(allowanceRefOf(viaHttp.allowance));
    expect(viaA2a.paymentRef).toBe(allowanceRefOf(viaA2a.allowance));
  });
});

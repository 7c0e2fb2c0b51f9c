import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Message, SendMessageRequest } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogRuntime } from '../../src/app/catalog-runtime.js';
import { readinessSourcesOf } from '../../src/app/readiness.js';
import { remediationOf } from '../../src/domain/index.js';
import { type A2aHarness, ACME_TOKEN, clientFactory, startA2aHarness } from '../helpers/a2a.js';

/**
 * DESIGN.md's rule: every surface converges on the same decisions for the Travel Backpack (EU
 * consumer, agent channel). The surfaces differ in shape; the meaning must not. One matrix,
 * checked against the profile service, A2A (real SDK client), the three feeds and the operator
 * projection, all over the same Redis at the scenario's `now`.
 */
const MATRIX = {
  discover: 'allowed',
  compare: 'allowed',
  quote_policy: 'blocked',
  'quote_policy/returns': 'blocked',
  'quote_policy/shipping': 'allowed',
  'quote_policy/warranty': 'allowed',
  add_to_cart: 'requires_revalidation',
  prepare_checkout: 'blocked',
  delegate_payment: 'blocked',
} as const;

const EU_CONSUMER = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
type Row = { action: string; policyDomain?: string; result: string; blockers: { code: string }[] };
const keyOf = (d: { action: string; policyDomain?: string }) =>
  d.policyDomain ? `${d.action}/${d.policyDomain}` : d.action;
const matrixOf = (decisions: readonly Row[]) =>
  Object.fromEntries(decisions.filter((d) => keyOf(d) in MATRIX).map((d) => [keyOf(d), d.result]));

describe('the Travel Backpack on every surface', () => {
  let harness: A2aHarness;
  let client: Client;
  let feedDir: string;

  beforeAll(async () => {
    feedDir = await mkdtemp(path.join(tmpdir(), 'acw-surfaces-'));
    harness = await startA2aHarness({ env: { FEED_DIR: feedDir } });
    client = await clientFactory(ACME_TOKEN).createFromUrl(harness.baseUrl);
    const runtime = catalogRuntime(harness.ctx);
    await runtime.evaluation.evaluateBatch(
      runtime.storesOf('acme'),
      ['BAG-TRAVEL-42'],
      harness.clock.nowMs(),
    );
  });
  afterAll(async () => {
    await harness.close();
    await rm(feedDir, { recursive: true, force: true });
  });

  const ask = async (data: Record<string, unknown>) => {
    const result = await client.sendMessage(
      SendMessageRequest.fromJSON({
        message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ data }] },
      }),
    );
    const content = (result as Exclude<typeof result, Message>).artifacts[0]?.parts[0]?.content;
    if (content?.$case !== 'data') throw new Error('no data artifact');
    return content.value as Record<string, unknown>;
  };

  it('the profile service (what the HTTP profile route serves) decides the DESIGN matrix', async () => {
    const profile = await catalogRuntime(harness.ctx).profiles.getProfile(
      'acme',
      'BAG-TRAVEL-42',
      EU_CONSUMER,
    );
    expect(matrixOf(profile.decisions)).toEqual(MATRIX);
  });

  it('A2A answers the same matrix, and return terms blocked with RETURN_POLICY_MISSING', async () => {
    const profile = await ask({
      action: 'get_profile',
      productId: 'BAG-TRAVEL-42',
      country: 'DE',
      buyerType: 'consumer',
    });
    expect(matrixOf(profile.decisions as Row[])).toEqual(MATRIX);
    const returns = await ask({
      action: 'get_return_terms',
      productId: 'BAG-TRAVEL-42',
      country: 'DE',
      buyerType: 'consumer',
    });
    const decision = (returns.decision ?? returns) as Row;
    expect(decision.result).toBe('blocked');
    expect(decision.blockers.map((b) => b.code)).toEqual(['RETURN_POLICY_MISSING']);
  });

  it('the feeds publish the same readiness, and nothing more', async () => {
    const runtime = catalogRuntime(harness.ctx);
    for (const feed of ['agent', 'acp', 'openai-flat'] as const)
      await runtime.feeds.publish('acme', feed);
    const file = async (feed: 'agent' | 'acp' | 'openai-flat') => {
      const latest = await runtime.feeds.latest('acme', feed);
      if (latest === undefined) throw new Error(`${feed} not published`);
      return readFile(latest.path);
    };
    const [agent] = (await file('agent'))
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(agent.actions).toEqual({
      discover: MATRIX.discover,
      compare: MATRIX.compare,
      quotePolicy: MATRIX.quote_policy,
      addToCart: MATRIX.add_to_cart,
      prepareCheckout: MATRIX.prepare_checkout,
      delegatePayment: MATRIX.delegate_payment,
    });
    expect(agent.generatedClaimsStatus).toBe('pending_review');
    expect(JSON.stringify(agent)).not.toContain('lightest carry-on');

    const acp = JSON.parse((await file('acp')).toString());
    const acpText = JSON.stringify(acp);
    expect(acpText).toContain('BAG-TRAVEL-42');
    expect(acpText).toContain('"available":false');

    // openai-flat requires a description and the backpack's only one awaits review: rather than
    // publish the row without it (or with the unreviewed text), the feed leaves it out.
    expect(gunzipSync(await file('openai-flat')).toString()).not.toContain('BAG-TRAVEL-42');
    const flat = await runtime.feeds.latest('acme', 'openai-flat');
    expect(flat?.manifest.excluded).toMatchObject({
      count: 1,
      reasons: expect.objectContaining({ missing_description: 1 }),
      productIds: ['BAG-TRAVEL-42'],
    });
  });

  it('the operator sees it partially ready, with the same blocker codes as the agents', async () => {
    const profile = await readinessSourcesOf(harness.ctx).storedProfile(
      'acme',
      'BAG-TRAVEL-42',
      EU_CONSUMER,
    );
    if (profile === undefined) throw new Error('no profile');
    const view = remediationOf(profile);
    expect(view.readiness).toBe('partially_ready');
    const codes = view.remediation.map((item) => item.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'RETURN_POLICY_MISSING',
        'INVENTORY_STALE',
        'GENERATED_CLAIMS_PENDING_REVIEW',
      ]),
    );
    expect(view.allowed.map(keyOf)).toEqual(
      expect.arrayContaining([
        'discover',
        'compare',
        'quote_policy/shipping',
        'quote_policy/warranty',
      ]),
    );
  });
});

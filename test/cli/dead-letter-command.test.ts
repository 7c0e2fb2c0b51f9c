import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAcw } from '../../src/cli/acw.js';
import type { CliIo } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config.js';
import { buyBackpack } from '../helpers/checkout-flow.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

function captureIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const config = loadConfig(env);
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readStdin: async () => '',
    config: () => config,
  };
  return { io, out, err };
}

describe('acw dead-letter', () => {
  let h: CheckoutHarness;
  let rejecting = true;
  let receiptId: string;
  beforeAll(async () => {
    h = await startCheckoutHarness({
      faults: {
        override: (call) =>
          rejecting && call.path === '/receipts'
            ? { status: 400, body: { error: 'no' } }
            : undefined,
      },
    });
    const result = await buyBackpack(h.service, TENANT);
    receiptId = `${result.checkout?.id}.a1.receipt`;
    await waitFor('the receipt dead-lettered', async () =>
      (await h.outbox().view(receiptId))?.status === 'dead' ? true : undefined,
    );
  });
  afterAll(() => h.close());

  // One test for both steps: the replay empties the dead letter the listing reads.
  it('lists the dead letter of a tenant as JSON, then replays an effect, which is delivered', async () => {
    const listing = captureIo(h.env);
    expect(await runAcw(['dead-letter', 'list', '--tenant', TENANT], listing.io)).toBe(0);
    const page = JSON.parse(listing.out.join('')) as {
      total: number;
      items: { effect: { id: string } }[];
    };
    expect(page.total).toBe(1);
    expect(page.items[0]?.effect.id).toBe(receiptId);

    rejecting = false;
    const { io, out } = captureIo(h.env);
    expect(await runAcw(['dead-letter', 'replay', receiptId, '--tenant', TENANT], io)).toBe(0);
    expect(out.join('')).toBe(`replayed ${receiptId}\n`);
    await h.sandbox.receipt.appliedAtLeast(1);
    expect(h.sandbox.receipt.stats.applied).toBe(1);
  });

  it('exits 1 for an effect that is not dead-lettered and 2 for bad usage', async () => {
    const { io, err } = captureIo(h.env);
    expect(await runAcw(['dead-letter', 'replay', 'nope', '--tenant', TENANT], io)).toBe(1);
    expect(err.join('')).toContain('nope is unknown');
    expect(await runAcw(['dead-letter', 'list'], io)).toBe(2);
    expect(await runAcw(['dead-letter', 'list', '--tenant', TENANT, '--bogus'], io)).toBe(2);
  });
});

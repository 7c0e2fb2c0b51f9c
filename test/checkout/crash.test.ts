import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SandboxReceiptServer,
  startSandboxReceipt,
} from '../../src/providers/sandbox/index.js';
import { CheckoutStore } from '../../src/store/checkout-store.js';
import { type CheckoutHarness, startCheckoutHarness, TENANT } from '../helpers/checkout-harness.js';
import { receiptBody, receiptEffect } from '../helpers/outbox-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

const EFFECTS = 1_000;

/** Starts the worker process and resolves once it says it is ready. */
async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/delivery-worker-entry.ts'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return child;
}

describe('when the worker is killed with SIGKILL in the middle of draining 1,000 effects', () => {
  let h: CheckoutHarness;
  let receipt: SandboxReceiptServer;
  let appliedAtKill: number;
  const ids: string[] = [];
  let second: ChildProcess | undefined;

  beforeAll(async () => {
    // Workers run in child processes only; this process writes the effects and watches.
    h = await startCheckoutHarness({ workers: false });
    receipt = await startSandboxReceipt({ faults: { latencyMs: 10 } });
    const env = {
      ...h.env,
      RECEIPT_URL: receipt.url,
      DELIVERY_CONCURRENCY: '8',
      DELIVERY_LOCK_MS: '1000',
    };

    // One transition writing 1,000 receipt effects atomically.
    const batch = randomUUID().slice(0, 8);
    const effects = Array.from({ length: EFFECTS }, (_, i) => {
      const effect = receiptEffect(`crash-${batch}.receipt.${i}`, TENANT, {
        body: receiptBody(i, i),
        correlationId: 'crash-test',
        createdAtMs: Date.now(),
      });
      ids.push(effect.id);
      return { effect, dueMs: Date.now() };
    });
    await h.outbox().registerTenant();
    const committed = await new CheckoutStore(
      h.ctx.redis,
      h.env.KEY_PREFIX as string,
      TENANT,
    ).commit({
      checkoutId: `crash-${batch}`,
      expectedVersion: 0,
      doc: '{}',
      effects,
      audit: { type: 'test.batch' },
    });
    expect(committed.kind).toBe('ok');

    const first = await spawnWorker(env);
    await receipt.appliedAtLeast(200);
    const exited = once(first, 'exit');
    first.kill('SIGKILL');
    await exited;
    appliedAtKill = receipt.stats.applied;

    second = await spawnWorker(env);
    await receipt.appliedAtLeast(EFFECTS);
    await waitFor(
      'every effect settled by the second worker',
      async () => {
        const counts = await h.outbox().countByStatus();
        return counts.delivered === EFFECTS ? counts : undefined;
      },
      { timeoutMs: 20_000 },
    );
  }, 45_000);

  afterAll(async () => {
    if (second !== undefined && second.exitCode === null) {
      const exited = once(second, 'exit');
      second.kill('SIGTERM');
      await exited;
    }
    await receipt.close();
    await h.close();
  });

  it('was killed mid-drain', () => {
    expect(appliedAtKill).toBeGreaterThanOrEqual(200);
    expect(appliedAtKill).toBeLessThan(EFFECTS);
  });

  it('loses nothing: the provider saw all 1,000 distinct Idempotency-Keys', () => {
    expect(receipt.stats.byKey.size).toBe(EFFECTS);
    expect(new Set(receipt.stats.byKey.keys())).toEqual(new Set(ids));
  });

  it('applies no effect twice at the provider', () => {
    expect(receipt.stats.applied).toBe(EFFECTS);
    expect(receipt.receipts.size).toBe(EFFECTS);
  });

  it('marks each effect delivered exactly once in the outbox', async () => {
    expect(await h.outbox().countByStatus()).toEqual({
      pending: 0,
      delivered: EFFECTS,
      dead: 0,
      superseded: 0,
    });
    const events = await h.ctx.redis.xrange(`${h.env.KEY_PREFIX}:{${TENANT}}:audit`, '-', '+');
    const delivered = new Map<string, number>();
    for (const [, fields] of events) {
      const event = JSON.parse(fields[1] as string) as { type: string; effectId?: string };
      if (event.type === 'effect.delivered' && event.effectId !== undefined) {
        delivered.set(event.effectId, (delivered.get(event.effectId) ?? 0) + 1);
      }
    }
    expect(delivered.size).toBe(EFFECTS);
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
  });
});

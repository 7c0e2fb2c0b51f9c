import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutRecord } from '../../src/services/checkout/checkout-record.js';
import { expectAcp2026 } from '../helpers/acp-2026-schemas.js';
import {
  type AcpSessionHarness,
  EU_ADDRESS,
  startAcpSessionHarness,
} from '../helpers/acp-session-harness.js';
import { TENANT } from '../helpers/checkout-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * 20 concurrent completes of one session under one Idempotency-Key while the checkout worker —
 * a process of its own (test/helpers/delivery-worker-entry.ts) — is killed with SIGKILL between
 * the reservation and the capture, and a second worker takes over. Afterwards every effect has
 * been applied once, one completion ran, and the session is completed with one order.
 */

const CONCURRENT = 20;

async function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/delivery-worker-entry.ts'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return child;
}

interface Answer {
  status: number;
  body: string;
  replayed: string | undefined;
  retryAfter: string | undefined;
}

describe('20 concurrent completes under one key with the worker killed -9 in between', () => {
  let h: AcpSessionHarness;
  let second: ChildProcess | undefined;
  let sessionId: string;
  let answers: Answer[];
  let settled: CheckoutRecord;
  let reservationsAtKill: number;
  let completeBody: Record<string, unknown>;
  let capturesAtKill: number;
  const key = 'complete-under-fire';

  beforeAll(async () => {
    // Workers run in child processes only; this process serves the ACP routes and watches.
    // Every provider answer takes a moment, so the kill lands while the chain is under way.
    h = await startAcpSessionHarness({ workers: false, faults: { latencyMs: 150 } });
    const created = await h.post('/checkout_sessions', {
      currency: 'eur',
      capabilities: {},
      line_items: [{ id: 'BAG-TRAVEL-42' }],
      fulfillment_details: { address: EU_ADDRESS },
    });
    expect(created.statusCode, created.body).toBe(201);
    sessionId = created.json().id;
    const token = await h.vaultToken(sessionId);
    completeBody = {
      payment_data: {
        handler_id: 'vault_token',
        instrument: { type: 'card', credential: { type: 'vault_token', token } },
      },
    };
    const workerEnv = { ...h.env, DELIVERY_LOCK_MS: '1000' };
    const first = await spawnWorker(workerEnv);

    const requests = Array.from({ length: CONCURRENT }, async (): Promise<Answer> => {
      const response = await h.post(`/checkout_sessions/${sessionId}/complete`, completeBody, {
        key,
      });
      const header = (name: string) => {
        const value = response.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      return {
        status: response.statusCode,
        body: response.body,
        replayed: header('idempotent-replayed'),
        retryAfter: header('retry-after'),
      };
    });

    // The stock is held; authorization and capture are still to come when the worker dies.
    await h.sandbox.reservation.appliedAtLeast(1);
    const exited = once(first, 'exit');
    first.kill('SIGKILL');
    await exited;
    reservationsAtKill = h.sandbox.reservation.stats.applied;
    capturesAtKill = h.sandbox.payment.capturesByCheckout.get(sessionId) ?? 0;
    second = await spawnWorker(workerEnv);

    answers = await Promise.all(requests);
    settled = await waitFor(
      'the session completed by the second worker',
      async () => {
        const checkout = await h.service.get(TENANT, sessionId);
        return checkout?.state === 'completed' ? checkout : undefined;
      },
      { timeoutMs: 20_000 },
    );
    await h.sandbox.receipt.appliedAtLeast(1);
  }, 60_000);

  afterAll(async () => {
    if (second !== undefined && second.exitCode === null) {
      const exited = once(second, 'exit');
      second.kill('SIGTERM');
      await exited;
    }
    await h?.close();
  });

  it('killed the worker after the reservation and before the capture', () => {
    expect(reservationsAtKill).toBe(1);
    expect(capturesAtKill).toBe(0);
  });

  it('ran the completion once: one answer ran, the others are its replay or 409 in flight', () => {
    const ran = answers.filter((a) => a.status === 200 && a.replayed === undefined);
    expect(ran).toHaveLength(1);
    const kept = ran[0] as Answer;
    const session = JSON.parse(kept.body);
    expectAcp2026('agentic_checkout', 'CheckoutSession', session);
    // The chain outlived the worker that started it: done, or still in progress when answered.
    expect(['completed', 'complete_in_progress']).toContain(session.status);
    for (const answer of answers) {
      if (answer.status === 409) {
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'idempotency_in_flight' });
        expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
        expectAcp2026('agentic_checkout', 'Error', JSON.parse(answer.body));
      } else {
        expect(answer.body).toBe(kept.body);
      }
    }
  });

  it('applied each effect exactly once at the providers', () => {
    const { reservation, payment, receipt } = h.sandbox;
    expect(reservation.stats.applied).toBe(1);
    expect(payment.stats.applied).toBe(2);
    expect(payment.capturesByCheckout.get(sessionId)).toBe(1);
    expect(receipt.stats.applied).toBe(1);
    for (const server of [reservation, payment, receipt]) {
      expect(server.stats.missingKey).toBe(0);
      expect(server.stats.byKey.size).toBe(server.stats.applied);
    }
  });

  it('leaves one completed session with one order and one payment', async () => {
    expect(settled.payments).toHaveLength(1);
    expect(settled.payments[0]?.state).toBe('captured');
    const read = await h.get(`/checkout_sessions/${sessionId}`);
    const session = read.json();
    expectAcp2026('agentic_checkout', 'CheckoutSessionWithOrder', session);
    expect(session).toMatchObject({ status: 'completed', order: { id: settled.orderId } });
  });

  it('answers the key with the kept answer afterwards, and another body with 422', async () => {
    const kept = answers.find((a) => a.status === 200 && a.replayed === undefined) as Answer;
    const url = `/checkout_sessions/${sessionId}/complete`;
    const again = await h.post(url, completeBody, { key });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(kept.body);
    const other = await h.post(url, { ...completeBody, order_notes: 'another' }, { key });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency_conflict' });
  });
});

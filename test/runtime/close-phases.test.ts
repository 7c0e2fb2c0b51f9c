import { describe, expect, it } from 'vitest';
import { CLOSE_PHASES, type Closable, type ClosePhase } from '../../src/runtime/closable.js';
import { closeInPhases } from '../../src/runtime/shutdown.js';

/** Closables that write "start <name>" and "end <name>" to one shared journal. */
function journalled() {
  const journal: string[] = [];
  const part = (name: string, phase: ClosePhase, close?: () => Promise<void>): Closable => ({
    name,
    phase,
    async close() {
      journal.push(`start ${name}`);
      await close?.();
      journal.push(`end ${name}`);
    },
  });
  return { journal, part };
}

/** A close that holds until released, and says when it was called. */
function held() {
  let release!: () => void;
  let called!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wasCalled = new Promise<void>((resolve) => {
    called = resolve;
  });
  return {
    release,
    wasCalled,
    close: async () => {
      called();
      await released;
    },
  };
}

describe('closeInPhases', () => {
  it('names the phases in the order the issue requires', () => {
    expect(CLOSE_PHASES).toEqual(['workers', 'queues', 'providers', 'connections']);
  });

  it('starts a phase only once every part of the phase before it has closed', async () => {
    const { journal, part } = journalled();
    const slowWorker = held();
    // Listed out of order on purpose: the phase decides, not the position.
    const parts = [
      part('redis', 'connections'),
      part('provider-client', 'providers'),
      part('checkout-queues', 'queues'),
      part('worker:deliver', 'workers', slowWorker.close),
      part('worker:drain', 'workers'),
      part('sandbox-providers', 'providers'),
    ];

    const closing = closeInPhases(parts);
    await slowWorker.wasCalled;
    expect(journal).toEqual(['start worker:deliver', 'start worker:drain', 'end worker:drain']);
    slowWorker.release();
    await closing;

    expect(journal).toEqual([
      'start worker:deliver',
      'start worker:drain',
      'end worker:drain',
      'end worker:deliver',
      'start checkout-queues',
      'end checkout-queues',
      'start provider-client',
      'start sandbox-providers',
      'end provider-client',
      'end sandbox-providers',
      'start redis',
      'end redis',
    ]);
  });

  it('goes on to the next phase when a part fails to close, and reports the failure', async () => {
    const { journal, part } = journalled();
    const failures: string[] = [];
    const phases: string[] = [];
    await closeInPhases(
      [
        part('worker:broken', 'workers', async () => {
          throw new Error('connection reset');
        }),
        part('redis', 'connections'),
      ],
      {
        onFailure: (failed, error) => failures.push(`${failed.name}: ${(error as Error).message}`),
        onPhase: (phase, names) => phases.push(`${phase}: ${names.join(', ')}`),
      },
    );
    expect(failures).toEqual(['worker:broken: connection reset']);
    expect(phases).toEqual(['workers: worker:broken', 'connections: redis']);
    expect(journal).toEqual(['start worker:broken', 'start redis', 'end redis']);
  });
});

import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { RunningParts } from '../../src/app/running-parts.js';
import type { Closable, ClosePhase } from '../../src/runtime/closable.js';

/** A part that records when its close begins. */
function part(name: string, phase: ClosePhase, closed: string[]): Closable {
  return {
    name,
    phase,
    async close() {
      closed.push(name);
    },
  };
}

describe('capability plugins closing through the root registry', () => {
  it('close every capability in phase order, not plugin by plugin in reverse', async () => {
    const closed: string[] = [];
    const app = Fastify();
    app.decorate('running', new RunningParts());
    app.addHook('onClose', async (instance) => instance.running.close());
    // Registered first: fastify alone would close catalog's parts last.
    await app.register(async (scope) => {
      scope.running.add(part('catalog worker', 'workers', closed));
      scope.running.add(part('catalog queues', 'queues', closed));
    });
    await app.register(async (scope) => {
      scope.running.add(part('checkout queues', 'queues', closed));
      scope.running.add(part('checkout worker', 'workers', closed));
      scope.running.add(part('redis', 'connections', closed));
    });
    await app.ready();

    await app.close();

    expect(closed.slice(0, 2).sort()).toEqual(['catalog worker', 'checkout worker']);
    expect(closed.slice(2, 4).sort()).toEqual(['catalog queues', 'checkout queues']);
    expect(closed[4]).toBe('redis');
  });

  it('leave what was handed over to the caller', async () => {
    const closed: string[] = [];
    const app = Fastify();
    app.decorate('running', new RunningParts());
    app.addHook('onClose', async (instance) => instance.running.close());
    await app.register(async (scope) => scope.running.add(part('worker', 'workers', closed)));
    await app.ready();

    const handed = app.running.takeAll();
    await app.close();

    expect(closed).toEqual([]);
    expect(handed.map((p) => p.name)).toEqual(['worker']);
  });
});

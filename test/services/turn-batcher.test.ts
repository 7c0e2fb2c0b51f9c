import { describe, expect, it } from 'vitest';
import { TurnBatcher } from '../../src/services/outbox/turn-batcher.js';

describe('TurnBatcher', () => {
  it('asks the questions of one turn together, per tenant, at most maxBatch a call, in order', async () => {
    const calls: [string, number[]][] = [];
    const batcher = new TurnBatcher<number, string>(async (tenant, questions) => {
      calls.push([tenant, questions]);
      return questions.map((q) => `${tenant}:${q * 10}`);
    }, 3);
    const answers = await Promise.all([
      ...[1, 2, 3, 4].map((q) => batcher.ask('a', q)),
      batcher.ask('b', 5),
    ]);
    expect(answers).toEqual(['a:10', 'a:20', 'a:30', 'a:40', 'b:50']);
    expect(calls).toEqual([
      ['a', [1, 2, 3]],
      ['a', [4]],
      ['b', [5]],
    ]);
    // A later turn is a call of its own.
    expect(await batcher.ask('a', 6)).toBe('a:60');
    expect(calls).toHaveLength(4);
  });

  it('fails only the questions of a call that fails, even one that throws at once', async () => {
    const batcher = new TurnBatcher<string, string>((tenant, questions) => {
      if (tenant === 'broken') throw new Error('no such tenant');
      return Promise.resolve(questions);
    });
    const [bad, good] = await Promise.allSettled([
      batcher.ask('broken', 'x'),
      batcher.ask('fine', 'y'),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('no such tenant') });
    expect(good).toEqual({ status: 'fulfilled', value: 'y' });
  });
});

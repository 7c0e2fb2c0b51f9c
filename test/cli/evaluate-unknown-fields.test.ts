import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../src/cli/evaluate-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { loadConfig } from '../../src/config.js';

const FIXTURE = readFileSync(new URL('../fixtures/travel-backpack.json', import.meta.url), 'utf8');

type Json = Record<string | number, unknown>;

/** The fixture with one key renamed: the key `from` of the object at `path` becomes `to`. */
function fixtureWith(path: readonly (string | number)[], from: string, to: string): string {
  const doc = JSON.parse(FIXTURE) as Json;
  const object = path.reduce<Json>((at, step) => at[step] as Json, doc);
  object[to] = object[from];
  delete object[from];
  return JSON.stringify(doc);
}

/** `acw evaluate -` in-process, with the document on standard input. */
async function evaluate(document: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => document,
    config: () => loadConfig({ NODE_ENV: 'test' }),
  };
  const code = await evaluateCommand(['-'], io);
  return { code, stdout, stderr };
}

describe('acw evaluate', () => {
  describe('when a key of the facts document is misspelt', () => {
    it.each([
      ['a product fact', ['products', 0], 'inventory', 'inventroy', '$.products[0].inventroy'],
      ['a nested fact', ['products', 0, 'price'], 'ttlSeconds', 'ttl', '$.products[0].price.ttl'],
      ['a policy', ['policies', 1], 'quoteable', 'quotable', '$.policies[1].quotable'],
      [
        "a policy's applicability",
        ['policies', 0, 'appliesTo'],
        'regions',
        'region',
        '$.policies[0].appliesTo.region',
      ],
      ['a context', ['contexts', 0], 'buyerType', 'buyer', '$.contexts[0].buyer'],
      ['the document itself', [], 'policies', 'polices', '$.polices'],
    ] as const)(
      'refuses %s (%j: %s → %s) by its JSON path, exit 2, nothing on stdout',
      async (_, path, from, to, at) => {
        const run = await evaluate(fixtureWith(path, from, to));
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr.split('\n')).toContain(`  ${at}: unknown field`);
      },
    );
  });

  it('evaluates the fixture as it is (the cases above differ from it by one key)', async () => {
    const run = await evaluate(FIXTURE);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).profiles.length).toBeGreaterThan(0);
  });
});

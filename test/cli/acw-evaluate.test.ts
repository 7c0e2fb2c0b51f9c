import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAcw, streamIo } from '../../src/cli/acw.js';
import { COMMERCE_ACTIONS } from '../../src/domain/actions.js';
import { ProductActionProfileSchema } from '../../src/domain/decision.js';
import { RULESET_VERSION } from '../../src/domain/eligibility/rules.js';
import { evaluateDocument } from '../../src/domain/evaluate-document.js';
import { POLICY_DOMAINS } from '../../src/domain/policy.js';
import { loadFixture } from '../support/facts.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_IN_README = 'test/fixtures/travel-backpack.json';
const FIXTURE = join(ROOT, FIXTURE_IN_README);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `acw ...args` in-process, as src/cli/main.ts runs it but over the test's own streams, with
 * only the environment given here (no REDIS_URL or other settings of the test run).
 */
async function acw(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Run> {
  const run = { code: -1, stdout: '', stderr: '' };
  const io = streamIo({
    env: { NODE_ENV: 'test', ...options.env },
    stdin: Readable.from([options.stdin ?? '']),
    stdout: { write: (text) => (run.stdout += text) },
    stderr: { write: (text) => (run.stderr += text) },
  });
  run.code = await runAcw(args, io);
  return run;
}

/** The README's command line, `npx acw ...args`, as a child process with a shell's environment. */
function spawnAcw(args: string[]) {
  return new Promise<Run>((resolve, reject) => {
    execFile(
      'npx',
      ['--no-install', 'acw', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? ROOT,
          TMPDIR: tmpdir(),
          NODE_ENV: 'test',
          // npm's own notices would land on the stderr this test expects empty.
          npm_config_update_notifier: 'false',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acw-evaluate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acw evaluate', () => {
  describe('run as the README shows, `npx acw evaluate test/fixtures/travel-backpack.json`', () => {
    it('exits 0 with what the command prints in-process, nothing on stderr', async () => {
      const [spawned, inProcess] = await Promise.all([
        spawnAcw(['evaluate', FIXTURE_IN_README]),
        acw(['evaluate', FIXTURE]),
      ]);
      expect(spawned.stderr).toBe('');
      expect(spawned.code).toBe(0);
      expect(JSON.parse(spawned.stdout).profiles).toHaveLength(2);
      expect(spawned.stdout).toBe(inProcess.stdout);
    });
  });

  describe('when given the Travel Backpack fixture', () => {
    let run: Run;
    let output: { rulesetVersion: string; profiles: unknown[] };
    beforeAll(async () => {
      run = await acw(['evaluate', FIXTURE]);
      output = JSON.parse(run.stdout);
    });

    it('exits 0 and writes nothing on stderr', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('prints the ruleset version it decided with', () => {
      expect(output.rulesetVersion).toBe(RULESET_VERSION);
    });

    it('prints one profile per product and context: two', () => {
      expect(output.profiles).toHaveLength(2);
    });

    it('prints one decision per action plus one per policy domain in each profile', () => {
      for (const raw of output.profiles) {
        const profile = ProductActionProfileSchema.parse(raw);
        expect(profile.decisions).toHaveLength(COMMERCE_ACTIONS.length + POLICY_DOMAINS.length);
        const actions = profile.decisions.filter((d) => d.policyDomain === undefined);
        expect(actions.map((d) => d.action)).toEqual([...COMMERCE_ACTIONS]);
        const domains = profile.decisions.flatMap((d) => (d.policyDomain ? [d] : []));
        expect(domains.every((d) => d.action === 'quote_policy')).toBe(true);
        expect(domains.map((d) => d.policyDomain)).toEqual([...POLICY_DOMAINS]);
      }
    });

    it('prints exactly what the domain decides in-process', () => {
      const expected = JSON.parse(
        JSON.stringify(evaluateDocument(loadFixture('travel-backpack.json'))),
      );
      expect(output).toEqual(expected);
    });
  });

  describe('when the tenant requires only shipping coverage', () => {
    it('no longer holds checkout back for the missing return policy', async () => {
      const run = await acw(['evaluate', FIXTURE], {
        env: { REQUIRED_POLICY_DOMAINS: 'shipping' },
      });
      expect(run.code).toBe(0);
      const [eu] = JSON.parse(run.stdout).profiles;
      const prepare = eu.decisions.find((d: { action: string }) => d.action === 'prepare_checkout');
      expect(prepare.blockers.map((b: { code: string }) => b.code)).toEqual(['INVENTORY_STALE']);
    });
  });

  describe('when reading the document from standard input', () => {
    it('decides the same as from the file', async () => {
      const fromFile = await acw(['evaluate', FIXTURE]);
      const fromStdin = await acw(['evaluate', '-'], {
        stdin: await readFile(FIXTURE, 'utf8'),
      });
      expect(fromStdin.code).toBe(0);
      expect(fromStdin.stdout).toBe(fromFile.stdout);
    });
  });

  describe('when the document is invalid in several places', () => {
    let run: Run;
    beforeAll(async () => {
      const doc = {
        now: '2026-06-28T09:00:00Z',
        products: [
          {
            id: 'BAG-TRAVEL-42',
            title: 'Travel Backpack',
            category: 'travel-bags',
            status: 'active',
            price: {
              amount: -12900,
              currency: 'EURO',
              observedAt: '2026-06-28T08:30:00Z',
              ttlSeconds: 3600,
              source: 'pricing',
            },
          },
        ],
        policies: [
          {
            id: 'refunds',
            domain: 'refunds',
            status: 'active',
            quoteable: true,
            appliesTo: { categories: ['*'], regions: ['*'], buyerTypes: ['*'], channels: ['*'] },
            validFrom: '2026-01-01T00:00:00Z',
            validTo: null,
            terms: {},
            source: 'legal',
          },
        ],
      };
      const file = join(dir, 'invalid.json');
      await writeFile(file, JSON.stringify(doc));
      run = await acw(['evaluate', file]);
    });

    it('exits 2', () => {
      expect(run.code).toBe(2);
    });

    it('prints nothing on stdout', () => {
      expect(run.stdout).toBe('');
    });

    it.each([
      '$.products[0].price.amount',
      '$.products[0].price.currency',
      '$.policies[0].domain',
      '$.contexts',
    ])('names %s on stderr', (path) => {
      expect(run.stderr).toMatch(new RegExp(`^  ${path.replace(/[$.[\]]/g, '\\$&')}: `, 'm'));
    });
  });

  describe('when two products share an id', () => {
    it('exits 2 and names the duplicate', async () => {
      const doc = loadFixture('travel-backpack.json');
      const file = join(dir, 'duplicate.json');
      await writeFile(
        file,
        JSON.stringify({ ...doc, products: [...doc.products, ...doc.products] }),
      );
      const run = await acw(['evaluate', file]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('$.products[1].id: duplicate id BAG-TRAVEL-42');
    });
  });

  describe('when the input is not JSON', () => {
    it('exits 2 with nothing on stdout and says so on stderr', async () => {
      const file = join(dir, 'not.json');
      await writeFile(file, '{ "now": ');
      const run = await acw(['evaluate', file]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('is not JSON');
    });
  });

  describe('when the file does not exist', () => {
    it('exits 2 and says it cannot read it', async () => {
      const run = await acw(['evaluate', join(dir, 'missing.json')]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('cannot read');
    });
  });

  describe('when the configuration is bad', () => {
    it('exits 2 and names the variable', async () => {
      const run = await acw(['evaluate', FIXTURE], { env: { REQUIRED_POLICY_DOMAINS: 'refunds' } });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('REQUIRED_POLICY_DOMAINS');
    });
  });
});

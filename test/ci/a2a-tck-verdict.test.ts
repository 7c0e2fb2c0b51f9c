import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * .ci/a2a-tck-verdict decides whether a run of the A2A kits fails CI: it passes only when every
 * failing test is a listed conflict with the specification, and a listed test that passes fails
 * it, so the list never outlives its reason. Fed here with run.sh output of each shape.
 */
const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, '.ci/a2a-tck-verdict');
const dir = mkdtempSync(path.join(tmpdir(), 'tck-verdict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFLICTS = path.join(dir, 'conflicts.txt');
writeFileSync(
  CONFLICTS,
  [
    '# why',
    'v1: tests/a.py::test_card',
    '',
    'v0.3 mandatory: tests/b.py::test_note[x--1]',
    '',
  ].join('\n'),
);

function verdict(rc: number, log: string[]) {
  const file = path.join(dir, `run-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, `${log.join('\n')}\n`);
  const run = spawnSync('bash', [script, String(rc), file, CONFLICTS], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout };
}

const failing = (...ids: string[]) => [
  `[tck] suites ran in 20s`,
  `failing tests (${ids.length}):`,
  ...ids.map((id) => `  ${id}`),
  'allow-listed failures (1, reference-agent content only):',
  '  v1: tests/c.py::test_canned',
  'A2A TCK: v1 9 passed 2 failed; v0.3 9 passed 1 failed',
];

describe('.ci/a2a-tck-verdict', () => {
  it('passes when exactly the listed conflicts fail', () => {
    const run = verdict(
      1,
      failing('v1: tests/a.py::test_card', 'v0.3 mandatory: tests/b.py::test_note[x--1] [error]'),
    );
    expect(run.status).toBe(0);
    expect(run.out).toContain('2 listed conflicts');
  });

  it('fails on a failing test that is not listed, naming it', () => {
    const run = verdict(
      1,
      failing(
        'v1: tests/a.py::test_card',
        'v0.3 mandatory: tests/b.py::test_note[x--1]',
        'v0.3 quality: tests/d.py::test_new',
      ),
    );
    expect(run.status).toBe(1);
    expect(run.out).toContain('  v0.3 quality: tests/d.py::test_new');
    expect(run.out).not.toContain('  v1: tests/a.py::test_card');
  });

  it('names a listed conflict that no longer fails as a warning, without failing the run', () => {
    const run = verdict(1, failing('v1: tests/a.py::test_card'));
    expect(run.status).toBe(0);
    expect(run.out).toMatch(
      /warning: [^\n]*not failing now[^\n]*\n {2}v0\.3 mandatory: tests\/b\.py::test_note\[x--1\]/,
    );
  });

  it('fails when the kits did not run to the end', () => {
    expect(verdict(2, ['A2A TCK: setup failed (npm start did not launch)']).status).toBe(1);
    const broken = failing(
      'v1: tests/a.py::test_card',
      'v0.3 mandatory: tests/b.py::test_note[x--1]',
    );
    broken[broken.length - 1] += '; BROKEN: v0.3 quality: pytest exit 5, no results';
    expect(verdict(1, broken).status).toBe(1);
  });

  it('reads the list .ci/run uses: every entry comes with its reason', () => {
    const lines = readFileSync(path.join(root, '.ci/a2a-tck-spec-conflicts.txt'), 'utf8').split(
      '\n',
    );
    lines.forEach((line, index) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      expect(line).toMatch(/^(v1|v0\.3 [a-z]+): tests\/\S+$/);
      expect(lines[index - 1], `a reason above ${line}`).toMatch(/^#|^v/);
    });
  });
});

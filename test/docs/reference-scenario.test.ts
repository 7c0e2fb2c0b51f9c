import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommerceDecision,
  type EvaluationContext,
  evaluateDocument,
} from '../../src/domain/index.js';
import {
  type CatalogTestContext,
  catalogTestContext,
  TENANT,
} from '../helpers/catalog-app-context.js';
import { seedDemoThroughJobs } from '../helpers/seed-demo-through-jobs.js';
import { loadFixture } from '../support/facts.js';

/**
 * README.md's reference scenario table is a promise: each row names an action (a policy domain,
 * a region other than the EU), the result, the blocker codes after `—` and the warning codes in
 * brackets. It must be exactly what the service answers for BAG-TRAVEL-42, row for row, nothing
 * left out.
 */
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

interface Row {
  label: string;
  action: string;
  policyDomain?: string;
  region: string;
  result: string;
  blockers: string[];
  warnings: string[];
}

function readmeRows(): Row[] {
  const section = readme.slice(readme.indexOf('## The reference scenario'));
  const table = section.slice(section.indexOf('| action | result |'));
  const lines = table.split('\n');
  const rows: Row[] = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break;
    const [label, answer] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim()) as [string, string];
    const head = /^(\w+)(?: \((\w+)(?:, ([A-Z]+))?\))?$/.exec(label);
    const body = /^(\w+)(?: — ([A-Z_, ]+?))?(?: \(warning ([A-Z_, ]+)\))?$/.exec(answer);
    if (head === null || body === null) throw new Error(`unreadable README row: ${line}`);
    const codes = (text: string | undefined) => (text ? text.split(', ') : []);
    rows.push({
      label,
      action: head[1] as string,
      ...(head[2] ? { policyDomain: head[2] } : {}),
      region: head[3] ?? 'EU',
      result: body[1] as string,
      blockers: codes(body[2]),
      warnings: codes(body[3]),
    });
  }
  return rows;
}

/** The service's answer in the README's words, for one decision. */
function rowOf(decision: CommerceDecision, region: string): Omit<Row, 'label'> {
  return {
    action: decision.action,
    ...(decision.policyDomain ? { policyDomain: decision.policyDomain } : {}),
    region,
    result: decision.result,
    blockers: decision.blockers.map((b) => b.code),
    warnings: decision.warnings.map((b) => b.code),
  };
}

const EU: EvaluationContext = { region: 'EU', buyerType: 'consumer', channel: 'agent' };
const US: EvaluationContext = { region: 'US', buyerType: 'consumer', channel: 'agent' };

/** Every EU decision, and the US rows the README names, compared row for row. */
function expectTableMatches(decisions: Record<'EU' | 'US', readonly CommerceDecision[]>) {
  const rows = readmeRows();
  const documented = rows.map(({ label: _label, ...row }) => row);
  const usRows = rows.filter((row) => row.region === 'US');
  const answered = [
    ...decisions.EU.map((decision) => rowOf(decision, 'EU')),
    ...decisions.US.filter((decision) =>
      usRows.some(
        (row) => row.action === decision.action && row.policyDomain === decision.policyDomain,
      ),
    ).map((decision) => rowOf(decision, 'US')),
  ];
  const key = (row: Omit<Row, 'label'>) => `${row.action}/${row.policyDomain ?? ''}/${row.region}`;
  const sort = (list: Omit<Row, 'label'>[]) =>
    [...list].sort((a, b) => key(a).localeCompare(key(b)));
  expect(rows.length).toBeGreaterThanOrEqual(decisions.EU.length);
  expect(sort(documented)).toEqual(sort(answered));
}

describe('the README reference scenario table', () => {
  let t: CatalogTestContext;

  beforeAll(async () => {
    t = await catalogTestContext({ EVALUATION_CONTEXTS: 'EU:consumer:agent,US:consumer:agent' });
    await seedDemoThroughJobs(t);
  });
  afterAll(() => t?.close());

  it('is what the service answers for the demo BAG-TRAVEL-42, from the stored profiles', async () => {
    const eu = await t.runtime.profiles.lookup(TENANT, 'BAG-TRAVEL-42', EU);
    const us = await t.runtime.profiles.lookup(TENANT, 'BAG-TRAVEL-42', US);
    expect([eu.source, us.source]).toEqual(['stored', 'stored']);
    expectTableMatches({ EU: eu.profile.decisions, US: us.profile.decisions });
  });

  it('is what `acw evaluate` prints for test/fixtures/travel-backpack.json', () => {
    const { profiles } = evaluateDocument(loadFixture('travel-backpack.json'));
    const of = (region: string) =>
      profiles.find((p) => p.productId === 'BAG-TRAVEL-42' && p.context.region === region)
        ?.decisions ?? [];
    expectTableMatches({ EU: of('EU'), US: of('US') });
  });

  it('lists quote_policy (cancellation), which the service answers too', () => {
    expect(readmeRows().map((row) => row.label)).toContain('quote_policy (cancellation)');
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMMERCE_ACTIONS, DECISION_RESULTS } from '../../src/domain/actions.js';
import { BLOCKERS } from '../../src/domain/blockers.js';
import { CHECKS } from '../../src/domain/eligibility/checks.js';
import {
  DEFAULT_SEVERITY,
  ELIGIBILITY_RULES,
  RULESET_VERSION,
  type RuleRow,
} from '../../src/domain/eligibility/rules.js';
import { canonicalJson } from '../../src/domain/policy.js';

/**
 * The rule table as it stood when RULESET_VERSION was set. Changing a row (or a default
 * severity) without bumping the version would make old decisions replay against rules they were
 * never made with, so the two are recorded together and must move together.
 */
const PINNED = {
  rulesetVersion: '2026-11-24.1',
  rulesSha256: '58ea82a7600da8ce52112db8f2a90fe22ba5b725ab45b7f547289b93dbe5ae57',
  defaultSeveritySha256: 'd19174e46f223b641d6b494255b148ce227553609588749dbe4d3338368e1208',
};

const BUMP =
  'the eligibility rule table changed: bump RULESET_VERSION in src/domain/eligibility/rules.ts and record the new hash here';

function sha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

describe('ELIGIBILITY_RULES', () => {
  it('is the table recorded for RULESET_VERSION', () => {
    expect(
      { rulesetVersion: RULESET_VERSION, rulesSha256: sha256(ELIGIBILITY_RULES) },
      BUMP,
    ).toEqual({ rulesetVersion: PINNED.rulesetVersion, rulesSha256: PINNED.rulesSha256 });
  });

  it('keeps the default severities recorded for RULESET_VERSION', () => {
    expect(
      { rulesetVersion: RULESET_VERSION, defaultSeveritySha256: sha256(DEFAULT_SEVERITY) },
      BUMP,
    ).toEqual({
      rulesetVersion: PINNED.rulesetVersion,
      defaultSeveritySha256: PINNED.defaultSeveritySha256,
    });
  });

  it('has a row list for every action', () => {
    expect(Object.keys(ELIGIBILITY_RULES).sort()).toEqual([...COMMERCE_ACTIONS].sort());
  });

  describe.each(COMMERCE_ACTIONS)('for %s', (action) => {
    const rows: readonly RuleRow[] = ELIGIBILITY_RULES[action];

    it('only names checks that exist', () => {
      for (const row of rows) expect(Object.keys(CHECKS)).toContain(row.check);
    });

    it('only grades known blocker codes with known results', () => {
      for (const row of rows) {
        for (const [code, result] of Object.entries(row.severity ?? {})) {
          expect(Object.keys(BLOCKERS)).toContain(code);
          expect(DECISION_RESULTS).toContain(result);
        }
      }
    });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Blocker,
  blocker,
  COMMERCE_ACTIONS,
  type CommerceAction,
  DECISION_RESULTS,
  type DecisionResult,
  type EvidenceRef,
  POLICY_DOMAINS,
  type PolicyDomain,
} from '../../src/domain/index.js';
import {
  type DecisionChange,
  type DecisionChangedData,
  mergeChanges,
} from '../../src/services/subscriptions/decision-event.js';

/** Every decision a profile can hold: an action, with or without a policy domain. */
const DECISIONS: readonly { action: CommerceAction; policyDomain?: PolicyDomain }[] =
  COMMERCE_ACTIONS.flatMap((action) => [
    { action },
    ...POLICY_DOMAINS.map((policyDomain) => ({ action, policyDomain })),
  ]);
const keyOf = (c: { action: string; policyDomain?: string }) =>
  `${c.action}/${c.policyDomain ?? ''}`;

const BLOCKER_CHOICES: readonly Blocker[] = [
  blocker('PRODUCT_INACTIVE', { status: 'inactive' }),
  blocker('PRICE_MISSING'),
  blocker('OUT_OF_STOCK'),
  blocker('INVENTORY_STALE', { expiredAt: '2026-06-01T00:00:00.000Z' }),
];

function change(
  action: CommerceAction,
  result: DecisionResult,
  more: Partial<DecisionChange> = {},
): DecisionChange {
  return { action, result, blockers: [], evidenceRefs: [], validUntil: null, ...more };
}

function data(changes: DecisionChange[], more: Partial<DecisionChangedData> = {}) {
  return {
    productId: 'P-1',
    context: 'EU:consumer:agent',
    evaluatedFrom: '2026-06-01T10:00:00.000Z',
    evaluatedAt: '2026-06-01T10:00:00.000Z',
    rulesetVersion: 'r1',
    changes,
    coalesced: 1,
    ...more,
  } satisfies DecisionChangedData;
}

describe('mergeChanges', () => {
  it('keeps the older previousResult and takes the newer state, also for a flip back', () => {
    const older = data([change('discover', 'blocked', { previousResult: 'allowed' })]);
    const newer = data([change('discover', 'allowed', { previousResult: 'blocked' })], {
      evaluatedFrom: '2026-06-01T10:00:05.000Z',
      evaluatedAt: '2026-06-01T10:00:05.000Z',
    });
    const merged = mergeChanges(older, newer);
    expect(merged.changes).toStrictEqual([
      change('discover', 'allowed', { previousResult: 'allowed' }),
    ]);
    // It covers the evaluations from the older's to the newer's.
    expect(merged.evaluatedFrom).toBe('2026-06-01T10:00:00.000Z');
    expect(merged.evaluatedAt).toBe('2026-06-01T10:00:05.000Z');
    expect(merged.coalesced).toBe(2);
  });

  it('keeps a decision only the older changed, and a newer-only decision as the newer wrote it', () => {
    const older = data([
      change('discover', 'blocked', { previousResult: 'allowed' }),
      change('compare', 'requires_review'),
    ]);
    const newer = data([change('add_to_cart', 'blocked', { previousResult: 'allowed' })]);
    const merged = mergeChanges(older, newer);
    const byKey = new Map(merged.changes.map((c) => [keyOf(c), c]));
    expect(byKey.size).toBe(3);
    expect(byKey.get('discover/')).toStrictEqual(older.changes[0]);
    // No previousResult: the subscriber's first word on it is its first evaluation.
    expect(byKey.get('compare/')).toStrictEqual(change('compare', 'requires_review'));
    expect(byKey.get('add_to_cart/')).toStrictEqual(
      change('add_to_cart', 'blocked', { previousResult: 'allowed' }),
    );
  });

  it('an older decision without previousResult stays without one after the merge', () => {
    const older = data([change('discover', 'allowed')]);
    const newer = data([change('discover', 'blocked', { previousResult: 'allowed' })]);
    const [merged] = mergeChanges(older, newer).changes;
    expect(merged).toStrictEqual(change('discover', 'blocked'));
    expect(merged).not.toHaveProperty('previousResult');
  });

  it('tells decisions of one action apart by policy domain', () => {
    const older = data([
      change('quote_policy', 'blocked', { policyDomain: 'returns', previousResult: 'allowed' }),
    ]);
    const newer = data([
      change('quote_policy', 'requires_review', {
        policyDomain: 'shipping',
        previousResult: 'allowed',
      }),
      change('quote_policy', 'allowed', { previousResult: 'blocked' }),
    ]);
    const merged = mergeChanges(older, newer).changes;
    expect(merged.map((c) => [keyOf(c), c.previousResult, c.result])).toEqual([
      ['quote_policy/returns', 'allowed', 'blocked'],
      ['quote_policy/shipping', 'allowed', 'requires_review'],
      ['quote_policy/', 'blocked', 'allowed'],
    ]);
  });

  it("takes the newer's blockers, evidence and validUntil, and its event fields; sums coalesced", () => {
    const evidence: EvidenceRef = { type: 'commercial_truth', id: 'price:P-1' };
    const older = data(
      [
        change('add_to_cart', 'blocked', {
          previousResult: 'allowed',
          blockers: [blocker('OUT_OF_STOCK')],
          validUntil: '2026-06-02T00:00:00.000Z',
        }),
      ],
      { coalesced: 3, rulesetVersion: 'r1' },
    );
    const newer = data(
      [
        change('add_to_cart', 'blocked', {
          previousResult: 'blocked',
          blockers: [blocker('PRICE_MISSING')],
          evidenceRefs: [evidence],
        }),
      ],
      {
        coalesced: 2,
        rulesetVersion: 'r2',
        evaluatedFrom: '2026-06-01T10:30:00.000Z',
        evaluatedAt: '2026-06-01T11:00:00.000Z',
      },
    );
    const before = structuredClone({ older, newer });
    const merged = mergeChanges(older, newer);
    expect(merged).toStrictEqual({
      ...newer,
      evaluatedFrom: older.evaluatedFrom,
      coalesced: 5,
      changes: [
        change('add_to_cart', 'blocked', {
          previousResult: 'allowed',
          blockers: [blocker('PRICE_MISSING')],
          evidenceRefs: [evidence],
        }),
      ],
    });
    // The inputs are left as they were.
    expect({ older, newer }).toStrictEqual(before);
  });
});

/** One generated change: which decision, its new state and details. */
interface Write {
  decision: number;
  result: DecisionResult;
  blockers: number[];
  evidence: number;
  validUntilMs: number | null;
}

const writeArb: fc.Arbitrary<Write> = fc.record({
  decision: fc.nat({ max: DECISIONS.length - 1 }),
  result: fc.constantFrom(...DECISION_RESULTS),
  blockers: fc.uniqueArray(fc.nat({ max: BLOCKER_CHOICES.length - 1 }), { maxLength: 2 }),
  evidence: fc.nat({ max: 3 }),
  validUntilMs: fc.option(fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), {
    nil: null,
  }),
});

interface History {
  initial: (DecisionResult | undefined)[];
  writes: Write[][];
}

/** A burst of evaluations of one key: each lists distinct decisions. */
const historyArb: fc.Arbitrary<History> = fc.record({
  /** each decision's state before the burst (undefined: never evaluated) */
  initial: fc.array(fc.option(fc.constantFrom(...DECISION_RESULTS), { nil: undefined }), {
    minLength: DECISIONS.length,
    maxLength: DECISIONS.length,
  }),
  writes: fc.array(
    fc.uniqueArray(writeArb, { selector: (w) => w.decision, minLength: 1, maxLength: 6 }),
    { minLength: 1, maxLength: 8 },
  ),
});

/** The events the burst produces, as evaluations write them, and what the subscriber must end up hearing. */
function replay({ initial, writes }: History) {
  const state = [...initial];
  const last = new Map<number, DecisionChange>();
  const events = writes.map((list, n): DecisionChangedData => {
    const changes = list.map((w) => {
      const decision = DECISIONS[w.decision] as (typeof DECISIONS)[number];
      const written: DecisionChange = {
        action: decision.action,
        result: w.result,
        blockers: w.blockers.map((at) => BLOCKER_CHOICES[at] as Blocker),
        evidenceRefs: [{ type: 'eligibility_rule', id: `r1/rule-${w.evidence}` }],
        validUntil: w.validUntilMs === null ? null : new Date(w.validUntilMs).toISOString(),
      };
      if (decision.policyDomain !== undefined) written.policyDomain = decision.policyDomain;
      const previous = state[w.decision];
      if (previous !== undefined) written.previousResult = previous;
      state[w.decision] = w.result;
      last.set(w.decision, written);
      return written;
    });
    const at = new Date(Date.UTC(2026, 5, 1, 10, 0, n)).toISOString();
    return data(changes, { evaluatedFrom: at, evaluatedAt: at, rulesetVersion: `r${n % 2}` });
  });
  const expected = [...last].map(([at, written]) => {
    const out: DecisionChange = { ...written };
    delete out.previousResult;
    const before = initial[at];
    if (before !== undefined) out.previousResult = before;
    return out;
  });
  return { events, expected };
}

const byKey = (changes: readonly DecisionChange[]) =>
  [...changes].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

/** Folds `items` in a bracketing `splits` chooses (merge is applied to adjacent runs). */
function foldTree(items: readonly DecisionChangedData[], splits: number[]): DecisionChangedData {
  if (items.length === 1) return items[0] as DecisionChangedData;
  const at = 1 + ((splits.shift() ?? 0) % (items.length - 1));
  return mergeChanges(foldTree(items.slice(0, at), splits), foldTree(items.slice(at), splits));
}

describe('mergeChanges over a burst of one key (property)', () => {
  it('ends at each touched decision’s last state, from its state before the burst', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { events, expected } = replay(history);
        const before = structuredClone(events);
        const folded = events.slice(1).reduce(mergeChanges, events[0] as DecisionChangedData);

        expect(folded.coalesced).toBe(events.length);
        // One change per touched decision, none for a decision never touched.
        expect(new Set(folded.changes.map(keyOf)).size).toBe(folded.changes.length);
        expect(byKey(folded.changes)).toStrictEqual(byKey(expected));
        const newest = events.at(-1) as DecisionChangedData;
        expect(folded.evaluatedFrom).toBe(events[0]?.evaluatedFrom);
        expect(folded.evaluatedAt).toBe(newest.evaluatedAt);
        expect(folded.rulesetVersion).toBe(newest.rulesetVersion);
        expect(events).toStrictEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same event however the burst is bracketed (a step merges, then merges into the waiting event)', () => {
    fc.assert(
      fc.property(historyArb, fc.array(fc.nat(), { maxLength: 16 }), (history, splits) => {
        const { events } = replay(history);
        const left = events.slice(1).reduce(mergeChanges, events[0] as DecisionChangedData);
        expect(foldTree(events, [...splits])).toStrictEqual(left);
      }),
      { numRuns: 300 },
    );
  });
});

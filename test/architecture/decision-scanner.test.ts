import { describe, expect, it } from 'vitest';
import { formatFindings, scanSource, withoutComments } from './decision-scanner.js';

const rulesOf = (source: string) => scanSource('fixture.ts', source).map((f) => f.rule);

describe('the decision scanner', () => {
  describe('when a source infers from a blocker code', () => {
    it.each([
      ["if (b.code === 'OUT_OF_STOCK') return 'out_of_stock';"],
      ['const stale = codes.has("INVENTORY_STALE");'],
      ['const key = `PRICE_MISSING`;'],
    ])('finds the literal in %s', (line) => {
      expect(rulesOf(line)).toContain('blocker-code literal');
    });
  });

  describe('when a source compares or makes up a decision result', () => {
    it.each([
      ["if (decision.result === 'allowed') publish();", 'comparison with a decision result'],
      ["if ('blocked' !== state) go();", 'comparison with a decision result'],
      ["if (result !== 'allowed') return;", 'comparison with a decision result'],
      ["switch (x) { case 'requires_review': break; }", 'comparison with a decision result'],
      ["return found?.result ?? 'blocked';", 'decision result defaulted'],
      ['const same = a.result === b.result;', 'comparison of .result'],
      ['switch (decision.result) {', 'comparison of .result'],
      ['return searchable && decisionFor(p, "x")?.allowed === true;', 'decision .allowed tested'],
      ['if (!decision.allowed) return null;', 'decision .allowed tested'],
      ['const ok = decision.allowed && other;', 'decision .allowed tested'],
      ['if (d.blockers.some((b) => b.code === code)) return;', 'blockers inspected'],
    ])('flags %s', (line, rule) => {
      expect(rulesOf(line)).toContain(rule);
    });
  });

  describe('when a source only translates', () => {
    it.each([
      ['available: checkoutEligible(profile),'],
      ['blockers: decision.blockers.map((b) => ({ code: b.code, message: b.message })),'],
      ['allowed: isAllowed(decision),'],
      ['result: decision.result,'],
      ["const status = ACP_STATUS[listedAvailability(product, profile)] ?? 'unknown';"],
      ["if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is source text holding a template
      ['const text = `${last.result}: ${last.reason}`;'],
      ["const url = 'https://example.test/a//b';"],
    ])('finds nothing in %s', (line) => {
      expect(scanSource('fixture.ts', line)).toEqual([]);
    });
  });

  describe('comments', () => {
    it('may name codes and results', () => {
      const source = [
        '/** stock comes from OUT_OF_STOCK, never `allowed` === guessed */',
        "// if (d.result === 'allowed')",
        'const x = 1; // b.code === "PRICE_STALE"',
      ].join('\n');
      expect(scanSource('fixture.ts', source)).toEqual([]);
    });

    it('are blanked without moving the lines after them', () => {
      const source = "/* one\ntwo */\nif (d.result === 'blocked') {}";
      expect(withoutComments(source).split('\n')).toHaveLength(3);
      expect(scanSource('feeds/x.ts', source).map((f) => f.line)).toEqual([3, 3]);
    });

    it('are not seen inside strings, and code inside template placeholders is scanned', () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture is source text holding a template
      const source = "const a = '// not a comment'; const b = `${d.result === 'allowed'}`;";
      expect(rulesOf(source)).toContain('comparison with a decision result');
      expect(withoutComments(source)).toBe(source);
    });
  });

  it('names each finding as file:line with its rule and code', () => {
    const findings = scanSource('feeds/bad.ts', "\n\nif (b.code === 'OUT_OF_STOCK') {}");
    expect(formatFindings(findings)).toBe(
      "feeds/bad.ts:3 blocker-code literal — if (b.code === 'OUT_OF_STOCK') {}",
    );
  });
});

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatFindings, scanTree, sourceFiles } from './decision-scanner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where nothing may decide: services carry decisions out, feeds project them. */
const SCANNED = ['feeds', 'src/services'];

describe('decisions stay in the domain', () => {
  it('scans files in every scanned directory', () => {
    for (const dir of SCANNED) expect(sourceFiles(ROOT, dir).length).toBeGreaterThan(0);
  });

  it('feeds/ and src/services/ hold no blocker-code literal and compare no decision result', () => {
    const findings = scanTree(ROOT, SCANNED);
    expect(
      findings,
      `use a named domain function (src/domain/projections.ts) instead:\n${formatFindings(findings)}`,
    ).toEqual([]);
  });
});

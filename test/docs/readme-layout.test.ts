import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const NOT_OURS = new Set(['node_modules', '.git', 'var', 'coverage']);

function folders(relative: string): string[] {
  return readdirSync(join(root, relative), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_OURS.has(entry.name))
    .map((entry) => (relative === '' ? entry.name : `${relative}/${entry.name}`));
}

describe("README.md's Layout section", () => {
  it('names every top-level folder and every folder one level below it', () => {
    const start = readme.indexOf('## Layout');
    expect(start).toBeGreaterThan(-1);
    const layout = readme.slice(start).split(/\n## /)[0] as string;
    const top = folders('');
    expect(top).toContain('src');
    const expected = [...top, ...top.filter((folder) => folder !== 'test').flatMap(folders)];
    expect(expected.filter((folder) => !layout.includes(`${folder}/`))).toEqual([]);
  });
});

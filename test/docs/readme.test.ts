import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config.js';

/** The README is the operator's manual: it must name every setting and every command it shows. */
const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = Object.keys(
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>,
);

describe('README.md', () => {
  it('documents every environment variable src/config.ts reads, in the configuration table', () => {
    const documented = new Set(
      [...readme.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]),
    );
    const missing = Object.keys(ConfigSchema.shape).filter((name) => !documented.has(name));
    expect(missing, 'variables missing from the README configuration table').toEqual([]);
    const stale = [...documented].filter(
      (name) => name !== undefined && !(name in ConfigSchema.shape),
    );
    expect(stale, 'README documents variables the service does not read').toEqual([]);
  });

  it('gives the two commands, and every `npm run X` it mentions exists', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    const mentioned = [...readme.matchAll(/npm run ([a-z0-9:-]+)/g)].map((match) => match[1]);
    expect(mentioned.filter((name) => !scripts.includes(name as string))).toEqual([]);
  });
});

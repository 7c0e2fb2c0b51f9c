import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numberOfKeys, SCRIPT_FILES, scriptSource } from '../../src/store/lua/scripts.js';

const LUA_DIR = new URL('../../src/store/lua/', import.meta.url);

describe('the Lua script loader', () => {
  it('loads every <name>-<numKeys>.lua of the store, and only those', () => {
    const onDisk = readdirSync(LUA_DIR)
      .filter((file) => file.endsWith('.lua'))
      .map((file) => file.replace(/\.lua$/, ''))
      .sort();
    expect([...SCRIPT_FILES].sort()).toEqual(onDisk);
    for (const name of onDisk) expect(name).toMatch(/^[a-z]+(-[a-z]+)*-\d+$/);
  });

  describe.each(SCRIPT_FILES)('%s', (name) => {
    const source = scriptSource(name);

    it('opens with its KEYS, ARGV and Output contract', () => {
      expect(source.startsWith('--[[')).toBe(true);
      const contract = source.slice(0, source.indexOf(']]'));
      expect(contract).toMatch(/Input:/);
      expect(contract).toMatch(/Output/);
    });

    it('uses exactly as many keys as its name says', () => {
      const used = [...source.matchAll(/KEYS\[(\d+)\]/g)].map((match) => Number(match[1]));
      expect(Math.max(...used)).toBe(numberOfKeys(name));
    });

    it('leaves no include unexpanded', () => {
      expect(source).not.toMatch(/@include/);
    });
  });

  describe('when scripts share an include', () => {
    it('puts the shared function into each of them once', () => {
      for (const name of [
        'outbox-settle-10',
        'outbox-settle-plain-8',
        'outbox-record-attempt-3',
        'outbox-replay-7',
      ] as const) {
        const source = scriptSource(name);
        expect(source.match(/local function appendHistory/g)).toHaveLength(1);
        // Defined before it is called, or Lua would call a nil global.
        expect(source.indexOf('local function appendHistory')).toBeLessThan(
          source.indexOf('appendHistory(KEYS'),
        );
      }
    });
  });
});

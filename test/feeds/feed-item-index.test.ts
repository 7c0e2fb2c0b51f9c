import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAfter, indexFeedItems } from '../../feeds/feed-item-index.js';

describe('indexFeedItems', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'acw-index-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  describe('when items span many read chunks and hold brackets, quotes and escapes in strings', () => {
    it('finds each item’s id and exact byte range', async () => {
      const items = Array.from({ length: 3_000 }, (_, n) => ({
        id: `id-${String(n).padStart(5, '0')}`,
        title: `{[ "${'\\'.repeat(n % 3)}" ]} ✓ ${'x'.repeat(n % 50)}`,
        variants: [{ id: `v${n}`, title: '}}]]' }],
      }));
      const text = `{"products":[${items.map((item) => JSON.stringify(item)).join(',')}]}`;
      const file = path.join(dir, 'feed.json');
      await writeFile(file, text);
      expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 65_536);

      const index = await indexFeedItems(file);
      expect(index.ids).toEqual(items.map((item) => item.id));
      const bytes = Buffer.from(text);
      for (const n of [0, 1, 1_500, 2_999]) {
        const slice = bytes.subarray(index.starts[n], index.ends[n]).toString('utf8');
        expect(JSON.parse(slice)).toEqual(items[n]);
      }
    });
  });

  describe('for an empty feed', () => {
    it('finds no items', async () => {
      const file = path.join(dir, 'empty.json');
      await writeFile(file, '{"products":[]}');
      expect(await indexFeedItems(file)).toEqual({ ids: [], starts: [], ends: [] });
    });
  });
});

describe('firstAfter', () => {
  const ids = ['A', 'B', 'B1', 'C', 'a', 'é'];
  it.each([
    ['', 0],
    ['A', 1],
    ['A0', 1],
    ['B', 2],
    ['C', 4],
    ['Z', 4],
    ['é', 6],
  ])('after %j starts at %i (byte order, as the catalog index sorts)', (after, at) => {
    expect(firstAfter(ids, after)).toBe(at);
  });
});

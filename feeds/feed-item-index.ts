import { createReadStream } from 'node:fs';

/**
 * Where each product sits in a published `{"products":[{…},{…}]}` file (the acp feed's framing,
 * acp-feed.ts): its id and byte range, in file order, which is catalog order (byte-wise by id,
 * as the catalog index pages). With it a page of the feed is one positioned read of bytes the
 * publisher already serialized, not a parse of the whole catalog.
 */
export interface FeedItemIndex {
  ids: string[];
  /** Offset of each item's `{`. */
  starts: number[];
  /** Offset just past each item's `}`. */
  ends: number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]);
const CLOSE = new Set([0x7d, 0x5d]);
/** Items are the objects opened at this depth: inside `{` and `"products":[`. */
const ITEM_DEPTH = 2;

/**
 * Scans the file once, byte by byte. Scanning bytes is safe in UTF-8: the quote and the
 * backslash never occur inside a multi-byte sequence.
 */
export async function indexFeedItems(path: string): Promise<FeedItemIndex> {
  const index: FeedItemIndex = { ids: [], starts: [], ends: [] };
  let depth = 0;
  let inString = false;
  let escaped = false;
  let offset = 0;
  let start = -1;
  let parts: Buffer[] = [];
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = start >= 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (OPEN.has(byte)) {
        if (depth === ITEM_DEPTH) {
          start = offset + i;
          from = i;
          parts = [];
        }
        depth += 1;
      } else if (CLOSE.has(byte)) {
        depth -= 1;
        if (depth === ITEM_DEPTH && start >= 0) {
          parts.push(chunk.subarray(from, i + 1));
          const item = JSON.parse(Buffer.concat(parts).toString('utf8')) as { id: string };
          index.ids.push(item.id);
          index.starts.push(start);
          index.ends.push(offset + i + 1);
          start = -1;
          from = -1;
        }
      }
    }
    if (from >= 0) parts.push(chunk.subarray(from));
    offset += chunk.length;
  }
  return index;
}

/** The position of the first id after `after` in catalog order (the Redis lex order: bytes). */
export function firstAfter(ids: readonly string[], after: string): number {
  const bound = Buffer.from(after);
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(Buffer.from(ids[middle] as string), bound) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

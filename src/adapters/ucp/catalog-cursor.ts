import { z } from 'zod';

/**
 * The opaque `pagination.cursor` of catalog search (types/pagination.json; search.md: cursors
 * "MAY encode as stateless keyset tokens"): the last product id the page looked at, so the next
 * page starts right after it whatever was added or removed in between. `k` keeps it from being
 * taken for another surface's cursor.
 */
const CursorSchema = z.strictObject({ k: z.literal('ucp-search'), a: z.string().min(1).max(200) });

export function encodeSearchCursor(after: string): string {
  return Buffer.from(JSON.stringify({ k: 'ucp-search', a: after })).toString('base64url');
}

/** The id to continue after, or undefined when `cursor` is not one this server issued. */
export function decodeSearchCursor(cursor: string): string | undefined {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return parsed.success ? parsed.data.a : undefined;
  } catch {
    return undefined;
  }
}

import { z } from 'zod';

/**
 * Paging cursors as MCP wants them: opaque strings (schema 2025-11-25, `Cursor`) the client
 * sends back unchanged. Each holds the last product id of the page it ends, so a page starts
 * right after it, whatever was added or removed in between; `kind` keeps a search cursor from
 * being taken for a resources/list cursor.
 */
const CursorSchema = z.strictObject({
  k: z.enum(['search', 'resources']),
  a: z.string().min(1).max(200),
});
export type CursorKind = z.infer<typeof CursorSchema>['k'];

export function encodeCursor(kind: CursorKind, after: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: after })).toString('base64url');
}

/** The id to continue after, or undefined when `cursor` is not one this server issued for `kind`. */
export function decodeCursor(kind: CursorKind, cursor: string): string | undefined {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return parsed.success && parsed.data.k === kind ? parsed.data.a : undefined;
  } catch {
    return undefined;
  }
}

import { z } from 'zod';

/** An ISO 8601 instant with an explicit offset, e.g. 2026-06-28T09:00:00Z. */
export const InstantSchema = z.iso.datetime({ offset: true });

/** ms since the epoch; the domain compares numbers, never reads a clock. */
export function toMs(instant: string): number {
  return Date.parse(instant);
}

export function toInstant(ms: number): string {
  return new Date(ms).toISOString();
}

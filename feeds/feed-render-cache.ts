import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULESET_VERSION } from '../src/domain/index.js';
import type { FeedName } from '../src/queues/catalog-queues.js';
import type { ProfileCurrency } from '../src/services/profile-service.js';
import { feedRenderKeyParts } from '../src/store/catalog-layout.js';
import { tenantKeys } from '../src/store/keys.js';
import type { RedisClient } from '../src/store/redis.js';

/**
 * What a feed rendered for each product, kept between publishes so that a product whose stored
 * profile and facts have not changed is not read, decoded, projected and serialized again: the
 * next publish checks the entry's currency (the same test a stored profile passes to be served:
 * same facts, same applicable policies, same rules, not past validUntil) and copies its text.
 * Anything else (a miss, a stale entry, a profile decided at publish time) goes the whole way
 * and, when it came from a current stored profile, refreshes the entry.
 *
 * An entry is only valid for the render it came from: the feed, its context, the format's
 * settings (the seller), and the code of the feeds and the domain (a hash of their sources and
 * of the lock file), so a deploy that changes how items are projected starts from an empty cache.
 *
 * One hash per tenant and feed: `feed-render:<feed>`, product id → entry. The evaluation removes
 * a deleted product's entries with its profiles.
 */

/** What the format made of the product: an item's text, nothing (not for this feed), or an exclusion. */
export type RenderedKind = 'item' | 'none' | 'excluded';

export interface RenderedEntry {
  currency: ProfileCurrency;
  renderKey: string;
  kind: RenderedKind;
  /** the item's text without its publish time, or the exclusion's reasons as JSON */
  payload: string;
  /** where in `payload` each publish puts its own publish time */
  publishedAtOffsets: number[];
}

/**
 * Stands in for the publish time while an item is rendered, to find where the time goes; it is
 * removed before the text is kept. No product can contain it: it holds a random value chosen
 * when the process starts.
 */
export const PUBLISHED_AT = `published-at-${createHash('sha256')
  .update(String(Math.random()) + process.pid)
  .digest('hex')
  .slice(0, 24)}`;

/** An item's text as kept: without the stand-ins, and where they were. */
export function keptText(rendered: string): { payload: string; publishedAtOffsets: number[] } {
  const parts = rendered.split(PUBLISHED_AT);
  const publishedAtOffsets: number[] = [];
  let offset = 0;
  for (let i = 0; i < parts.length - 1; i += 1) {
    offset += (parts[i] as string).length;
    publishedAtOffsets.push(offset);
  }
  return { payload: parts.join(''), publishedAtOffsets };
}

/** A kept item's text with this publish's time put back. */
export function itemText(entry: RenderedEntry, publishedAt: string): string {
  const { payload, publishedAtOffsets: at } = entry;
  if (at.length === 0) return payload;
  let text = '';
  let from = 0;
  for (const offset of at) {
    text += payload.slice(from, offset) + publishedAt;
    from = offset;
  }
  return text + payload.slice(from);
}

const KIND_LETTER: Record<RenderedKind, string> = { item: 'i', none: 'n', excluded: 'x' };
const LETTER_KIND: Record<string, RenderedKind> = { i: 'item', n: 'none', x: 'excluded' };

/**
 * Tab-separated header (facts and policy fingerprints, validUntil, ruleset, render key, kind,
 * publish-time offsets, category), then the payload, which may hold anything, tabs included.
 */
export function encodeRendered(entry: RenderedEntry): string {
  const c = entry.currency;
  return [
    c.factsFingerprint,
    c.policyFingerprint,
    c.validUntilMs === null ? '' : String(c.validUntilMs),
    c.rulesetVersion,
    entry.renderKey,
    KIND_LETTER[entry.kind],
    entry.publishedAtOffsets.join(','),
    // Categories are free text: JSON-quoted, so a tab in one cannot shift the fields.
    JSON.stringify(c.category),
    entry.payload,
  ].join('\t');
}

/** The entry, or undefined when the text is not one (an older layout, a damaged value). */
export function decodeRendered(text: string): RenderedEntry | undefined {
  const at: number[] = [];
  let from = 0;
  for (let i = 0; i < 7; i += 1) {
    const tab = text.indexOf('\t', from);
    if (tab < 0) return undefined;
    at.push(tab);
    from = tab + 1;
  }
  // The category is a JSON string: its closing quote, then a tab, then the payload.
  const categoryEnd = text.indexOf('"\t', from + 1);
  if (categoryEnd < 0) return undefined;
  const kind = LETTER_KIND[text.slice((at[4] as number) + 1, at[5])];
  const validUntil = text.slice((at[1] as number) + 1, at[2]);
  const offsets = text.slice((at[5] as number) + 1, at[6]);
  let category: unknown;
  try {
    category = JSON.parse(text.slice((at[6] as number) + 1, categoryEnd + 1));
  } catch {
    return undefined;
  }
  if (kind === undefined || typeof category !== 'string') return undefined;
  return {
    currency: {
      factsFingerprint: text.slice(0, at[0]),
      policyFingerprint: text.slice((at[0] as number) + 1, at[1]),
      validUntilMs: validUntil === '' ? null : Number(validUntil),
      rulesetVersion: text.slice((at[2] as number) + 1, at[3]),
      category,
    },
    renderKey: text.slice((at[3] as number) + 1, at[4]),
    kind,
    payload: text.slice(categoryEnd + 2),
    publishedAtOffsets: offsets === '' ? [] : offsets.split(',').map(Number),
  };
}

let codeHash: string | undefined;
/**
 * A hash of what decides what an item looks like: the feed formats and the domain (the sources
 * under feeds/ and src/domain/) and the locked library versions, read once per process.
 */
function sourcesHash(): string {
  if (codeHash !== undefined) return codeHash;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.[cm]?[jt]s$/.test(entry.name)) {
        hash.update(path.relative(root, full)).update('\0').update(readFileSync(full)).update('\0');
      }
    }
  };
  walk(path.join(root, 'feeds'));
  walk(path.join(root, 'src', 'domain'));
  // The serializer's and the schemas' libraries: an upgrade may write an item differently.
  try {
    hash.update(readFileSync(path.join(root, 'package-lock.json')));
  } catch {
    // No lock file beside the sources: the sources alone key the render.
  }
  codeHash = hash.digest('base64url').slice(0, 16);
  return codeHash;
}

/** The render an entry belongs to: feed, context, format settings, rules and code. */
export function renderKeyOf(feed: FeedName, contextKey: string, settings: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([feed, contextKey, settings ?? null, RULESET_VERSION, sourcesHash()]))
    .digest('base64url')
    .slice(0, 16);
}

export class FeedRenderCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(tenant: string, feed: FeedName): string {
    return tenantKeys(this.prefix, tenant)(...feedRenderKeyParts(feed));
  }

  /** The entries of `ids`, in order (undefined: none, or not one). */
  async read(
    tenant: string,
    feed: FeedName,
    ids: readonly string[],
  ): Promise<(RenderedEntry | undefined)[]> {
    if (ids.length === 0) return [];
    const texts = await this.redis.hmget(this.key(tenant, feed), ...ids);
    return texts.map((text) => (text === null ? undefined : decodeRendered(text)));
  }

  async write(
    tenant: string,
    feed: FeedName,
    entries: ReadonlyMap<string, RenderedEntry>,
  ): Promise<void> {
    if (entries.size === 0) return;
    const flat: string[] = [];
    for (const [id, entry] of entries) flat.push(id, encodeRendered(entry));
    await this.redis.hset(this.key(tenant, feed), ...flat);
  }

  /** Forgets products that are gone, so the hash does not outgrow the catalog. */
  async forget(tenant: string, feed: FeedName, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.hdel(this.key(tenant, feed), ...ids);
  }
}

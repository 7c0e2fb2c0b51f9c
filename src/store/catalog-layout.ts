/**
 * The parts of a tenant's key names (after `${prefix}:{tenant}:`) that the catalog, the
 * evaluation jobs and the feeds share. One table, so no two modules spell a key differently.
 */
export const CATALOG_KEY_PARTS = {
  /** hash: product id → ProductFacts JSON */
  products: ['products'],
  /** sorted set (all scores 0): every product id, paged in id order by the feeds */
  productIndex: ['product-ids'],
  /** hash: policy id → PolicyFact JSON */
  policies: ['policies'],
  /** counter bumped by every policy write; a profile records the version it was evaluated at */
  policyVersion: ['policies-version'],
  /** set: product ids waiting for (re-)evaluation */
  dirty: ['evaluation', 'dirty'],
  /** sorted set: product id → ms of its earliest validUntil, swept back into `dirty` when due */
  due: ['evaluation', 'due'],
} as const satisfies Record<string, readonly string[]>;

/** set: ids one evaluation job took from `dirty`; returned to `dirty` if the job gives up. */
export function claimedKeyParts(jobId: string): string[] {
  return ['evaluation', 'claimed', jobId];
}

/** hash: product id → compact profile, one hash per evaluation context. */
export function profilesKeyParts(contextKey: string): string[] {
  return ['profiles', contextKey];
}

/**
 * hash: product id → what the feed rendered for it at its last publish, while still current
 * (feeds/feed-render-cache.ts); a removed product's entries go with its profiles.
 */
export function feedRenderKeyParts(feed: string): string[] {
  return ['feed-render', feed];
}

/** stream: the product's changed decisions, newest last. */
export function auditKeyParts(productId: string): string[] {
  return ['audit', productId];
}

/**
 * sorted set (all scores 0): ids of the products in `state` in one context, or, with a code, of
 * those in `state` held back by that blocker code; paged in id order by the readiness page.
 */
export function readinessSetParts(contextKey: string, state: string, code?: string): string[] {
  return code === undefined
    ? ['readiness', contextKey, state]
    : ['readiness', contextKey, state, code];
}

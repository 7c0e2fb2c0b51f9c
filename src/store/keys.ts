/**
 * Every store key is `${prefix}:{${tenant}}:…`. The braces make the tenant a Redis Cluster hash
 * tag: all of one tenant's keys live in one slot, so a Lua script or MULTI may touch any of them
 * atomically, and a deployment can move to Redis Cluster or Dragonfly without rewriting keys.
 * Feature stores build their keys from this one function (compare bullmq's queue-keys.ts).
 */
export type TenantKey = (...parts: string[]) => string;

export function tenantKeys(prefix: string, tenant: string): TenantKey {
  if (/[{}:]/.test(tenant)) throw new Error(`invalid tenant id ${JSON.stringify(tenant)}`);
  const base = `${prefix}:{${tenant}}`;
  return (...parts) => (parts.length === 0 ? base : `${base}:${parts.join(':')}`);
}

/** Keys that are not a tenant's: the registry of tenants and process-wide markers. */
export function globalKey(prefix: string, ...parts: string[]): string {
  return `${prefix}:{global}:${parts.join(':')}`;
}

import { randomBytes } from 'node:crypto';
import { type TenantKey, tenantKeys } from './keys.js';
import { runScript } from './lua/scripts.js';
import type { RedisClient } from './redis.js';

/**
 * A tenant's live watch sessions: a client connected now (an MCP session) that watches product
 * profiles and is told, while it listens, when one of them changes. Unlike a product subscription
 * nothing is delivered later: a session that is not listening hears nothing, and one idle for
 * longer than its idle time is gone (its keys expire). Every key is in the tenant's slot.
 *
 *   watch-sessions:<id>          hash: caller, stream (the token of its GET stream)
 *   watch-sessions:<id>:watches  hash: watch key → the resource URI as the client subscribed it
 *   watch-sessions:live          sorted set: id → ms its idle time ends, of sessions that watch
 *   watch-sessions:changed       the pub/sub channel of changed watch keys (JSON array)
 */
export type WatchStep = 'touch' | 'watch' | 'unwatch' | 'stream' | 'close';

/** The live set's key; the change store asks it whether anyone listens (decision-change-store). */
export function liveWatchSetKey(key: TenantKey): string {
  return key('watch-sessions', 'live');
}

/** `<context key> <product id>`: a context key holds no space (see orderingKeyOf). */
export function watchKeyOf(productId: string, contextKey: string): string {
  return `${contextKey} ${productId}`;
}

export class WatchSessionStore {
  private readonly key: TenantKey;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    readonly tenant: string,
  ) {
    this.key = tenantKeys(prefix, tenant);
  }

  /** The channel changed watch keys are published on (pub/sub, not kept). */
  get channel(): string {
    return this.key('watch-sessions', 'changed');
  }

  private sessionKeys(id: string): [string, string, string] {
    return [
      this.key('watch-sessions', id),
      this.key('watch-sessions', id, 'watches'),
      liveWatchSetKey(this.key),
    ];
  }

  /** A new session of the caller; 128 random bits, so an id cannot be guessed. */
  async open(callerId: string, idleMs: number): Promise<string> {
    const id = randomBytes(16).toString('base64url');
    const [session] = this.sessionKeys(id);
    await this.redis.multi().hset(session, 'caller', callerId).pexpire(session, idleMs).exec();
    return id;
  }

  /**
   * One step of the session (watch-session-3.lua); resolves undefined when there is no such
   * session of this caller (never opened, closed, idle too long, or another caller's).
   */
  async step(
    step: WatchStep,
    id: string,
    callerId: string,
    nowMs: number,
    idleMs: number,
    watch?: { key: string; uri?: string },
  ): Promise<number | undefined> {
    const answer = await runScript(this.redis, 'watch-session-3', this.sessionKeys(id), [
      step,
      id,
      callerId,
      nowMs,
      idleMs,
      watch?.key ?? '',
      watch?.uri ?? '',
    ]);
    return answer === -1 ? undefined : Number(answer);
  }

  /**
   * The token of the session's current stream, and the URIs it watches under each of `keys`,
   * in order (undefined where none), read together.
   */
  async streamAndUris(
    id: string,
    keys: readonly string[],
  ): Promise<{ stream: string | undefined; uris: (string | undefined)[] }> {
    const [session, watches] = this.sessionKeys(id);
    const multi = this.redis.multi().hget(session, 'stream');
    if (keys.length > 0) multi.hmget(watches, ...keys);
    const replies = (await multi.exec()) ?? [];
    for (const [error] of replies) if (error !== null) throw error;
    const stream = (replies[0]?.[1] as string | null) ?? undefined;
    const uris = ((replies[1]?.[1] as (string | null)[] | undefined) ?? []).map(
      (uri) => uri ?? undefined,
    );
    return { stream, uris };
  }

  /** Whether a session watching anything may be listening (its idle time has not run out). */
  async anyLive(nowMs: number): Promise<boolean> {
    return (await this.redis.zcount(liveWatchSetKey(this.key), nowMs, '+inf')) > 0;
  }

  /**
   * Tells the listening replicas these watch keys changed. (PUBLISH's count is not returned: on a
   * cluster it counts only the receiving node's subscribers, though every node's hear it.)
   */
  async publishChanged(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.publish(this.channel, JSON.stringify(keys));
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { LiveWatches } from '../../src/services/subscriptions/live-watches.js';
import { DecisionChangeStore } from '../../src/store/decision-change-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import { WatchSessionStore, watchKeyOf } from '../../src/store/watch-session-store.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * Live watch sessions (the MCP sessions behind resources/subscribe) on a real Redis: a session is
 * its caller's, lives while used, counts as listening only while it watches something, and has
 * one stream, the newest, wherever it is held; two LiveWatches over one Redis stand for two
 * ingress replicas.
 */
const IDLE_MS = 60_000;
const EU = { region: 'EU', buyerType: 'consumer', channel: 'agent' } as const;
const EU_KEY = 'EU|consumer|agent';

describe('live watch sessions', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('live-watches');
  const clock = manualClock(Date.parse('2026-12-06T10:00:00Z'));
  const opened: LiveWatches[] = [];
  const errors: unknown[] = [];

  const replica = (onStreams?: (open: number) => void) => {
    const watches = new LiveWatches({
      ...(onStreams === undefined ? {} : { onStreams }),
      redis,
      prefix,
      clock,
      idleMs: IDLE_MS,
      subscriber: () => connectTestRedis(),
      onError: (error) => errors.push(error),
    });
    opened.push(watches);
    return watches;
  };

  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await Promise.all(opened.map((watches) => watches.closeConnection()));
    await redis?.quit();
  });

  it("is the caller's: another caller, or a closed session, is not found", async () => {
    const watches = replica();
    const id = await watches.open('t1', 'alice');
    expect(await watches.touch('t1', id, 'alice')).toBe(true);
    expect(await watches.touch('t1', id, 'mallory')).toBe(false);
    expect(await watches.touch('t2', id, 'alice')).toBe(false);
    expect(await watches.close('t1', id, 'mallory')).toBe(false);
    expect(await watches.close('t1', id, 'alice')).toBe(true);
    expect(await watches.touch('t1', id, 'alice')).toBe(false);
    expect(await watches.watch('t1', id, 'alice', { productId: 'P', context: EU, uri: 'u' })).toBe(
      false,
    );
  });

  it('makes evaluations record changes only while a session watches, until its idle time ends', async () => {
    const watches = replica();
    const changes = new DecisionChangeStore(redis, prefix, 't3');
    const id = await watches.open('t3', 'alice');
    expect(await changes.active(clock.nowMs())).toBe(false);
    const target = { productId: 'P-1', context: EU };
    expect(await watches.watch('t3', id, 'alice', { ...target, uri: 'product://P-1/x' })).toBe(
      true,
    );
    expect(await changes.active(clock.nowMs())).toBe(true);
    // Past its idle time (counted from its last use) it no longer counts as listening.
    expect(await changes.active(clock.nowMs() + IDLE_MS + 1)).toBe(false);
    expect(await watches.unwatch('t3', id, 'alice', target)).toBe(true);
    expect(await changes.active(clock.nowMs())).toBe(false);
    // The keys themselves expire with the idle time.
    const ttl = await redis.pttl(`${prefix}:{t3}:watch-sessions:${id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(IDLE_MS);
  });

  it("tells a session's newest stream what it watches, and ends the stream it replaced", async () => {
    const counted: number[] = [];
    const first = replica((open) => counted.push(open));
    const second = replica();
    const id = await first.open('t4', 'alice');
    await first.watch('t4', id, 'alice', {
      productId: 'P 1',
      context: EU,
      uri: 'product://P%201/profile?context=EU',
    });
    const heard: string[][] = [[], []];
    let replaced: () => void = () => undefined;
    const firstReplaced = new Promise<void>((resolve) => {
      replaced = resolve;
    });
    const stopFirst = await first.listen('t4', id, 'alice', {
      notify: (uri) => heard[0]?.push(uri),
      replaced,
    });
    expect(stopFirst).toBeTypeOf('function');
    let told: () => void = () => undefined;
    const secondTold = new Promise<void>((resolve) => {
      told = resolve;
    });
    const stopSecond = await second.listen('t4', id, 'alice', {
      notify: (uri) => {
        heard[1]?.push(uri);
        told();
      },
      replaced: () => {
        throw new Error('the newest stream was replaced');
      },
    });
    const sessions = new WatchSessionStore(redis, prefix, 't4');
    await sessions.publishChanged([
      watchKeyOf('P 2', EU_KEY),
      watchKeyOf('P 1', EU_KEY),
      watchKeyOf('P 1', 'US|consumer|agent'),
    ]);
    await Promise.all([firstReplaced, secondTold]);
    expect(heard).toEqual([[], ['product://P%201/profile?context=EU']]);
    stopFirst?.();
    stopSecond?.();
    expect(first.streams + second.streams).toBe(0);
    // The first replica's gauge rose to its one stream and fell back when it stopped.
    expect(counted).toEqual([1, 0]);
    expect(errors).toEqual([]);
  });

  it('does not listen for a session that is not there', async () => {
    const watches = replica();
    const stop = await watches.listen('t5', 'never-opened', 'alice', {
      notify: () => undefined,
      replaced: () => undefined,
    });
    expect(stop).toBeUndefined();
    expect(watches.streams).toBe(0);
  });
});

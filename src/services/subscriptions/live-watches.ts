import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { contextKey, type EvaluationContext } from '../../domain/index.js';
import type { RedisClient } from '../../store/redis.js';
import { WatchSessionStore, type WatchStep, watchKeyOf } from '../../store/watch-session-store.js';

export interface LiveWatchDeps {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  /** MCP_SESSION_IDLE_MS: a session not used for this long is gone */
  idleMs: number;
  /** Opens the connection this replica listens on (pub/sub holds a connection of its own). */
  subscriber(): RedisClient;
  onError(error: unknown, tenant: string): void;
  /** Told the number of streams this replica holds each time it changes. */
  onStreams?(open: number): void;
}

/** Called with the resource URI the session subscribed, each time its profile changed. */
export type WatchListener = (uri: string) => void;

interface Listening {
  sessionId: string;
  /** this stream's token: the session's current stream is the one whose token it holds */
  token: string;
  notify: WatchListener;
  replaced(): void;
}

/**
 * Live watch sessions (the MCP adapter's sessions and resource subscriptions): sessions and their
 * watches are kept in Redis, so any replica answers any request of a session; a session's
 * listening stream is held by one replica, which hears of changes on the tenant's pub/sub
 * channel (the projector publishes, decision-event-projector.ts) and tells each of its streams
 * about the profiles that stream's session watches.
 */
export class LiveWatches {
  private readonly listening = new Map<
    string,
    { streams: Set<Listening>; subscribed: Promise<unknown> }
  >();
  private connection: RedisClient | undefined;

  constructor(private readonly deps: LiveWatchDeps) {}

  private store(tenant: string): WatchSessionStore {
    return new WatchSessionStore(this.deps.redis, this.deps.prefix, tenant);
  }

  open(tenant: string, callerId: string): Promise<string> {
    return this.store(tenant).open(callerId, this.deps.idleMs);
  }

  private async step(
    tenant: string,
    sessionId: string,
    callerId: string,
    step: WatchStep,
    watch?: { key: string; uri?: string },
  ): Promise<number | undefined> {
    const { clock, idleMs } = this.deps;
    return this.store(tenant).step(step, sessionId, callerId, clock.nowMs(), idleMs, watch);
  }

  /** Keeps the session alive; false when it is not there (or not the caller's). */
  async touch(tenant: string, sessionId: string, callerId: string): Promise<boolean> {
    return (await this.step(tenant, sessionId, callerId, 'touch')) !== undefined;
  }

  /** Watches one product profile under `uri`; false when the session is not there. */
  async watch(
    tenant: string,
    sessionId: string,
    callerId: string,
    target: { productId: string; context: EvaluationContext; uri: string },
  ): Promise<boolean> {
    const key = watchKeyOf(target.productId, contextKey(target.context));
    const watched = await this.step(tenant, sessionId, callerId, 'watch', { key, uri: target.uri });
    return watched !== undefined;
  }

  /** Stops watching; false when the session is not there. Unwatching what is not watched is fine. */
  async unwatch(
    tenant: string,
    sessionId: string,
    callerId: string,
    target: { productId: string; context: EvaluationContext },
  ): Promise<boolean> {
    const key = watchKeyOf(target.productId, contextKey(target.context));
    return (
      (await this.step(tenant, sessionId, callerId, 'unwatch', { key, uri: '' })) !== undefined
    );
  }

  /** Ends the session and its watches; false when it was not there. */
  async close(tenant: string, sessionId: string, callerId: string): Promise<boolean> {
    return (await this.step(tenant, sessionId, callerId, 'close')) !== undefined;
  }

  /**
   * Listens for changes of what the session watches, until the returned function is called.
   * A session has one stream: this one becomes it, and an older one (on this replica or another)
   * is told `replaced` and ends. Resolves once this replica hears the tenant's channel, so a
   * change published after that is heard; resolves undefined when the session is not there.
   */
  async listen(
    tenant: string,
    sessionId: string,
    callerId: string,
    listener: { notify: WatchListener; replaced(): void },
  ): Promise<(() => void) | undefined> {
    const entry: Listening = { sessionId, token: randomUUID(), ...listener };
    let tenantStreams = this.listening.get(tenant);
    if (tenantStreams === undefined) {
      const subscribed = this.subscriber().subscribe(this.store(tenant).channel);
      tenantStreams = { streams: new Set(), subscribed };
      this.listening.set(tenant, tenantStreams);
    }
    tenantStreams.streams.add(entry);
    this.deps.onStreams?.(this.streams);
    const stop = () => {
      const current = this.listening.get(tenant);
      if (current === undefined || !current.streams.delete(entry)) return;
      this.deps.onStreams?.(this.streams);
      if (current.streams.size > 0) return;
      this.listening.delete(tenant);
      this.subscriber()
        .unsubscribe(this.store(tenant).channel)
        .catch((error: unknown) => this.deps.onError(error, tenant));
    };
    try {
      await tenantStreams.subscribed;
      const claimed = await this.step(tenant, sessionId, callerId, 'stream', {
        key: entry.token,
      });
      if (claimed === undefined) {
        stop();
        return undefined;
      }
    } catch (error) {
      stop();
      throw error;
    }
    for (const other of tenantStreams.streams)
      if (other !== entry && other.sessionId === sessionId) other.replaced();
    return stop;
  }

  /** Streams listening on this replica now (the metric's source). */
  get streams(): number {
    let count = 0;
    for (const { streams } of this.listening.values()) count += streams.size;
    return count;
  }

  async closeConnection(): Promise<void> {
    this.listening.clear();
    const connection = this.connection;
    this.connection = undefined;
    await connection?.quit().catch(() => connection.disconnect());
  }

  private subscriber(): RedisClient {
    if (this.connection === undefined) {
      const connection = this.deps.subscriber();
      connection.on('message', (channel: string, message: string) => {
        void this.dispatch(channel, message);
      });
      this.connection = connection;
    }
    return this.connection;
  }

  private async dispatch(channel: string, message: string): Promise<void> {
    for (const [tenant, { streams }] of this.listening) {
      const store = this.store(tenant);
      if (store.channel !== channel) continue;
      try {
        const keys = JSON.parse(message) as string[];
        await Promise.all(
          [...streams].map(async ({ sessionId, token, notify, replaced }) => {
            const { stream, uris } = await store.streamAndUris(sessionId, keys);
            // A newer stream of the session took over (maybe on another replica): this one ends.
            if (stream !== token) return replaced();
            for (const uri of new Set(uris)) if (uri !== undefined) notify(uri);
          }),
        );
      } catch (error) {
        this.deps.onError(error, tenant);
      }
      return;
    }
  }
}

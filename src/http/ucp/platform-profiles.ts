import CachePolicy from 'http-cache-semantics';
import { Agent, type Dispatcher, request } from 'undici';
import { failed, type NegotiationStep } from '../../adapters/ucp/negotiation-failure.js';
import { type PlatformProfile, parsePlatformProfile } from '../../adapters/ucp/platform-profile.js';
import type { Config } from '../../config.js';
import {
  isPublicAddress,
  literalAddressOf,
  publicOnlyLookup,
  RefusedAddressError,
} from './address-guard.js';

export interface PlatformProfilesOptions {
  connectTimeoutMs: number;
  /** Deadline of one whole fetch: connect, headers and body. */
  timeoutMs: number;
  maxBytes: number;
  cacheMaxEntries: number;
  cacheMinTtlMs: number;
  cacheMaxTtlMs: number;
  /** Fetch `http:` profile URLs too (the spec requires https). */
  allowHttp: boolean;
  /** Connect to non-public addresses too (false: the SSRF guard is on). */
  allowPrivateAddresses: boolean;
  nowMs: () => number;
}

/** The options from configuration; the two `ALLOW_` switches default to on outside production. */
export function platformProfilesOptions(
  config: Pick<
    Config,
    | 'NODE_ENV'
    | 'UCP_PROFILE_CONNECT_TIMEOUT_MS'
    | 'UCP_PROFILE_TIMEOUT_MS'
    | 'UCP_PROFILE_MAX_BYTES'
    | 'UCP_PROFILE_CACHE_MAX_ENTRIES'
    | 'UCP_PROFILE_CACHE_MIN_TTL_MS'
    | 'UCP_PROFILE_CACHE_MAX_TTL_MS'
    | 'UCP_PROFILE_ALLOW_HTTP'
    | 'UCP_PROFILE_ALLOW_PRIVATE_ADDRESSES'
  >,
  nowMs: () => number,
): PlatformProfilesOptions {
  const outsideProduction = config.NODE_ENV !== 'production';
  return {
    connectTimeoutMs: config.UCP_PROFILE_CONNECT_TIMEOUT_MS,
    timeoutMs: config.UCP_PROFILE_TIMEOUT_MS,
    maxBytes: config.UCP_PROFILE_MAX_BYTES,
    cacheMaxEntries: config.UCP_PROFILE_CACHE_MAX_ENTRIES,
    cacheMinTtlMs: config.UCP_PROFILE_CACHE_MIN_TTL_MS,
    cacheMaxTtlMs: config.UCP_PROFILE_CACHE_MAX_TTL_MS,
    allowHttp: config.UCP_PROFILE_ALLOW_HTTP ?? outsideProduction,
    allowPrivateAddresses: config.UCP_PROFILE_ALLOW_PRIVATE_ADDRESSES ?? outsideProduction,
    nowMs,
  };
}

type FetchFailure = 'invalid_profile_url' | 'profile_unreachable' | 'profile_malformed';
export type ProfileFetch = NegotiationStep<PlatformProfile, FetchFailure>;

interface CacheEntry {
  profile: PlatformProfile;
  policy: CachePolicy;
  expiresAtMs: number;
}

class Unreachable extends Error {}

/**
 * Platform profiles as negotiation needs them (overview.md, "Profile Requirements" →
 * "Fetching"): fetched with undici under a connect timeout, a whole-fetch deadline and a size
 * limit; never through a redirect (the spec forbids following one); `http:` and non-public
 * addresses only when allowed. Kept in a bounded LRU for as long as HTTP caching allows,
 * clamped to [min, max] TTL (the spec's 60 s floor holds whatever the origin says, except
 * `no-store`/`private`, which are not stored); a stale entry with a validator is revalidated.
 * Concurrent fetches of one URL share one request. Failures are not cached.
 */
export class PlatformProfiles {
  private readonly agent: Agent;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ProfileFetch>>();

  constructor(private readonly options: PlatformProfilesOptions) {
    this.agent = new Agent({
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.allowPrivateAddresses ? {} : { connect: { lookup: publicOnlyLookup } }),
    });
  }

  /** The profile at `url`, from the cache while fresh, else fetched (one request per URL at once). */
  async fetch(url: string): Promise<ProfileFetch> {
    if (!URL.canParse(url)) return failed('invalid_profile_url', 'the profile URL is not a URL');
    const target = new URL(url);
    const schemeAllowed =
      target.protocol === 'https:' || (target.protocol === 'http:' && this.options.allowHttp);
    if (!schemeAllowed)
      return failed('invalid_profile_url', 'profile URLs must be https (overview.md, Fetching)');
    const key = target.href;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.options.nowMs() < cached.expiresAtMs) {
      this.remember(key, cached);
      return { ok: true, value: cached.profile };
    }
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const fetching = this.load(target, cached).finally(() => this.inflight.delete(key));
    this.inflight.set(key, fetching);
    return fetching;
  }

  /** Closes the connection pool; fetches after this fail as unreachable. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async load(target: URL, stale: CacheEntry | undefined): Promise<ProfileFetch> {
    const literal = literalAddressOf(target);
    if (literal !== undefined && !this.options.allowPrivateAddresses && !isPublicAddress(literal))
      return failed('profile_unreachable', `${target.host} is a non-public address`);
    const policyRequest: CachePolicy.Request = {
      url: `${target.pathname}${target.search}`,
      method: 'GET',
      headers: { host: target.host, accept: 'application/json' },
    };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (stale !== undefined) {
      const validators = stale.policy.revalidationHeaders(policyRequest);
      for (const name of ['if-none-match', 'if-modified-since'] as const) {
        const value = validators[name];
        if (typeof value === 'string') headers[name] = value;
      }
    }
    try {
      const response = await request(target, {
        method: 'GET',
        headers,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const cacheResponse = { status: response.statusCode, headers: response.headers };
      if (response.statusCode === 304 && stale !== undefined) {
        await response.body.dump();
        const { policy, modified } = stale.policy.revalidatedPolicy(policyRequest, cacheResponse);
        if (!modified) return this.store(target.href, stale.profile, policy);
        throw new Unreachable('answered 304 to a request it could not match');
      }
      if (response.statusCode >= 300 && response.statusCode < 400) {
        await response.body.dump();
        throw new Unreachable(
          `answered ${response.statusCode}: profile redirects are not followed`,
        );
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new Unreachable(`answered ${response.statusCode}`);
      }
      const text = await this.readLimited(response);
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return failed('profile_malformed', 'the platform profile is not JSON');
      }
      const parsed = parsePlatformProfile(document);
      if (!parsed.ok) return parsed;
      const policy = new CachePolicy(policyRequest, cacheResponse, { shared: true });
      return this.store(target.href, parsed.value, policy);
    } catch (error) {
      return failed(
        'profile_unreachable',
        `Unable to fetch the platform profile: ${reasonOf(error)}`,
      );
    }
  }

  /** The body as text, refused as soon as it passes maxBytes, Content-Length or not. */
  private async readLimited(response: Dispatcher.ResponseData): Promise<string> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxBytes) {
      // Destroying an undici body emits its abort as an 'error': nobody else listens for it.
      response.body.once('error', () => {});
      response.body.destroy();
      throw new Unreachable(`the profile is larger than ${this.options.maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      // Leaving the loop destroys the stream: the rest is never read.
      if (size > this.options.maxBytes)
        throw new Unreachable(`the profile is larger than ${this.options.maxBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private store(key: string, profile: PlatformProfile, policy: CachePolicy): ProfileFetch {
    if (policy.storable()) {
      const { cacheMinTtlMs, cacheMaxTtlMs } = this.options;
      const ttlMs = Math.min(cacheMaxTtlMs, Math.max(cacheMinTtlMs, policy.timeToLive()));
      this.remember(key, {
        profile,
        policy,
        expiresAtMs: this.options.nowMs() + ttlMs,
      });
    } else {
      this.cache.delete(key);
    }
    return { ok: true, value: profile };
  }

  /** Puts an entry last in the LRU order, evicting the least recently used past the bound. */
  private remember(key: string, entry: CacheEntry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > this.options.cacheMaxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

/** A short reason for the answer's `content`: what went wrong, not a stack. */
function reasonOf(error: unknown): string {
  if (error instanceof Unreachable) return error.message;
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof RefusedAddressError) return cause.message;
    if (cause.name === 'TimeoutError' || /timeout/i.test(cause.name)) return 'timeout';
  }
  return error instanceof Error ? error.message : String(error);
}

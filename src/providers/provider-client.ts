import { Agent, Pool } from 'undici';
import type { Provider } from '../domain/index.js';
import { acpWebhookHeaders, signWebhook, type WebhookProfile } from './webhook-signature.js';

/**
 * undici clients for the downstream providers: one Pool per provider origin (reservation,
 * payment, receipt) and one Agent for agent webhooks, whose URLs are the subscribers'. Every call
 * has connect, headers and body timeouts in seconds, not undici's 300 s defaults, and carries
 * `Idempotency-Key` (the effect id, the same on every retry) and a correlation id.
 */

export interface ProviderEndpoints {
  reservation: string;
  payment: string;
  receipt: string;
}

export interface ProviderClientOptions {
  endpoints: ProviderEndpoints;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  connections: number;
  webhookSecret: string;
  /** Signs ACP order events (`webhookProfile: 'acp'`); ACP_WEBHOOK_SECRET. */
  acpWebhookSecret?: string | undefined;
  /** Unix time for Webhook-Timestamp, from the service clock. */
  nowMs: () => number;
}

export interface OutgoingCall {
  provider: Provider;
  method: 'GET' | 'POST';
  /** Under the provider's base URL. */
  path?: string;
  /** Absolute, for webhooks. */
  url?: string;
  body?: unknown;
  idempotencyKey?: string;
  correlationId?: string;
  /** Webhook-Id: the event's id, stable across retries. */
  webhookId?: string;
  /** Absent: an agent webhook (`Webhook-Id`, `Webhook-Timestamp`, WEBHOOK_SECRET). */
  webhookProfile?: WebhookProfile | undefined;
}

export interface ProviderAnswer {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
  durationMs: number;
}

/** The call never got an HTTP answer: refused, reset, timed out. The provider may have acted. */
export class ProviderTransportError extends Error {
  constructor(
    readonly provider: string,
    cause: unknown,
  ) {
    const code = (cause as { code?: string }).code;
    super(`${provider}: ${code ?? (cause as Error).message ?? 'transport error'}`, { cause });
    this.name = 'ProviderTransportError';
  }
}

interface Target {
  pool: Pool;
  basePath: string;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class ProviderClient {
  private readonly targets = new Map<Exclude<Provider, 'webhook'>, Target>();
  private readonly webhooks: Agent;
  private readonly timeouts: { headersTimeout: number; bodyTimeout: number };

  constructor(private readonly options: ProviderClientOptions) {
    const connect = { timeout: options.connectTimeoutMs };
    this.timeouts = {
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    };
    for (const provider of ['reservation', 'payment', 'receipt'] as const) {
      const base = new URL(options.endpoints[provider]);
      this.targets.set(provider, {
        pool: new Pool(base.origin, {
          connections: options.connections,
          connect,
          ...this.timeouts,
        }),
        basePath: base.pathname.replace(/\/$/, ''),
      });
    }
    this.webhooks = new Agent({ connections: options.connections, connect, ...this.timeouts });
  }

  /** The origin a call goes to, for per-destination circuit breakers. */
  destinationOf(call: Pick<OutgoingCall, 'provider' | 'url'>): string {
    if (call.provider === 'webhook') return `webhook:${new URL(call.url ?? '').origin}`;
    return call.provider;
  }

  async send(call: OutgoingCall): Promise<ProviderAnswer> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    if (call.correlationId !== undefined) headers['x-correlation-id'] = call.correlationId;
    if (call.provider === 'webhook' && call.webhookProfile === 'acp') {
      const unix = Math.floor(this.options.nowMs() / 1000);
      const secret = this.options.acpWebhookSecret;
      // Config refuses ACP_WEBHOOK_URL without its secret; an effect written before the secret
      // was removed fails here like a call that got no answer (retried, then dead-lettered),
      // and is never sent unsigned.
      if (secret === undefined)
        throw new ProviderTransportError('webhook', new Error('ACP_WEBHOOK_SECRET is not set'));
      const id = call.webhookId ?? call.idempotencyKey ?? '';
      Object.assign(headers, acpWebhookHeaders(secret, unix, body ?? '', id));
    } else if (call.provider === 'webhook') {
      const unix = Math.floor(this.options.nowMs() / 1000);
      headers['webhook-id'] = call.webhookId ?? call.idempotencyKey ?? '';
      headers['webhook-timestamp'] = String(unix);
      headers['merchant-signature'] = signWebhook(this.options.webhookSecret, unix, body ?? '');
    }
    const started = performance.now();
    try {
      const response = await this.dispatch(call, headers, body);
      const text = await response.body.text();
      let parsed: unknown = text;
      if (text.length > 0 && /json/.test(header(response.headers['content-type']) ?? '')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return {
        status: response.statusCode,
        retryAfter: header(response.headers['retry-after']),
        body: text.length === 0 ? undefined : parsed,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      throw new ProviderTransportError(call.provider, error);
    }
  }

  private dispatch(call: OutgoingCall, headers: Record<string, string>, body: string | undefined) {
    if (call.provider === 'webhook') {
      if (call.url === undefined) throw new Error('a webhook call needs its url');
      const url = new URL(call.url);
      return this.webhooks.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: call.method,
        headers,
        body,
        ...this.timeouts,
      });
    }
    const target = this.targets.get(call.provider) as Target;
    return target.pool.request({
      path: `${target.basePath}${call.path ?? ''}`,
      method: call.method,
      headers,
      body,
      ...this.timeouts,
    });
  }

  async close(): Promise<void> {
    await Promise.all([
      ...[...this.targets.values()].map((t) => t.pool.close()),
      this.webhooks.close(),
    ]);
  }
}

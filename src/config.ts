import { z } from 'zod';
import { ContextParameterSchema, DEFAULT_CONTEXTS } from './domain/context.js';
import { POLICY_DOMAINS } from './domain/policy.js';
import { isQueueGroup, QUEUE_GROUPS } from './queues/queue-groups.js';
import { PrivateSigningJwksSchema } from './services/signing/signing-keys.js';
import { redisNodeOf } from './store/redis.js';

/** Most effects in one delivery batch job, so one job's payload and settle calls stay small. */
export const MAX_DELIVERY_BATCH = 500;

/**
 * Every setting the service reads, from the environment, parsed once at boot and frozen.
 * A bad value stops start-up with one message naming each bad variable and why.
 */

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

/** `tenant:token,tenant2:token2` → [{tenant, token}] */
const authTokens = commaList.pipe(
  z.array(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}:.{16,}$/i, {
        message: 'each entry must be tenant:token with a token of at least 16 characters',
      })
      .transform((entry) => {
        const at = entry.indexOf(':');
        return { tenant: entry.slice(0, at), token: entry.slice(at + 1) };
      }),
  ),
);

/** `EU:consumer:agent` → {region, buyerType, channel} */
/** `host:port`, as redis-cli --cluster and CLUSTER NODES write a node. */
const clusterNode = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'each node must be host:port' })
  .transform(redisNodeOf);

const evaluationContext = ContextParameterSchema;

/** ISO 3166-1 alpha-2, as product feeds name markets. */
const countryCode = z.string().regex(/^[A-Z]{2}$/, {
  message: 'must be ISO 3166-1 alpha-2 country codes in upper case, e.g. DE',
});

/** A JSON document in a variable (a JWK Set), parsed before its schema reads it. */
const jwkSetText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON JWK Set' });
    return z.NEVER;
  }
});

const optionalUrl = z
  .url({ protocol: /^https?$/ })
  .optional()
  .or(z.literal('').transform(() => undefined));

/** Demo secrets: public, refused in production. */
export const DEMO_TENANT_TOKEN = 'demo-token-change-me-0001';
export const DEMO_OPERATOR_TOKEN = 'operator-token-change-me-0001';
export const DEMO_WEBHOOK_SECRET = 'sandbox-webhook-secret-change-me';

export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** pino level. */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Which parts this process runs; `all` is ingress, workers and schedulers together. */
    ROLE: z.enum(['all', 'ingress', 'worker', 'scheduler']).default('all'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    /**
     * Seed nodes of a Redis Cluster, `host:port` comma-separated: every connection is then a
     * cluster client (REDIS_URL's user, password and TLS still apply to each node). Unset, REDIS_URL
     * is a single node.
     */
    REDIS_CLUSTER_NODES: commaList.pipe(z.array(clusterNode).min(1)).optional(),
    /**
     * Start a private redis-server under ./var/redis when REDIS_URL answers nothing.
     * @defaultValue true outside production
     */
    REDIS_AUTOSTART: booleanFromEnv.optional(),
    /** Where a private redis-server started by REDIS_AUTOSTART keeps its AOF files. */
    REDIS_DATA_DIR: z.string().min(1).default('./var/redis'),
    /** Prefix of every store key; keys are `${KEY_PREFIX}:{tenant}:…` so a tenant stays in one slot. */
    KEY_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i, { message: 'letters, digits, _ and - only' })
      .default('acw'),
    /**
     * Base of the BullMQ prefixes: each queue group's keys carry `{<name>-<group>}`, its own
     * Redis Cluster hash tag (src/queues/queue-groups.ts; QUEUE_HASH_TAGS overrides).
     */
    QUEUE_PREFIX: z
      .string()
      .regex(/^\{[a-z0-9_-]+\}$/i, { message: 'must be a hash tag such as {acw}' })
      .default('{acw}'),
    /**
     * Hash tags of queue groups instead of `<QUEUE_PREFIX's name>-<group>`: `group=tag,…`, `*`
     * for every group not named (src/queues/queue-groups.ts). Groups with one tag share a slot.
     */
    QUEUE_HASH_TAGS: commaList
      .pipe(
        z.array(
          z.string().regex(/^(\*|[a-z0-9_-]+)=[a-z0-9_-]+$/i, {
            message: 'each entry must be group=tag (letters, digits, _ and -; * for every group)',
          }),
        ),
      )
      .transform((entries) =>
        Object.fromEntries(entries.map((entry) => entry.split('=') as [string, string])),
      )
      .refine((tags) => Object.keys(tags).every((group) => group === '*' || isQueueGroup(group)), {
        message: `groups are ${QUEUE_GROUPS.join(', ')}, evaluation-<n> or *`,
      })
      .optional(),
    AUTH_TOKENS: authTokens.prefault(`demo:${DEMO_TENANT_TOKEN}`),
    SEED_DEMO: booleanFromEnv.default(true),
    /** Policy domains whose coverage quote_policy and prepare_checkout require. */
    REQUIRED_POLICY_DOMAINS: commaList
      .pipe(z.array(z.enum(POLICY_DOMAINS)).min(1))
      .default(['returns', 'shipping']),
    CATALOG_URL: optionalUrl,
    SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
    // --- catalog and feeds: ingest, evaluation jobs, staleness, feed publishing ---
    /**
     * Evaluation queues, one hash tag each; a tenant's jobs go to one of them (by its id), so
     * on a Redis Cluster the evaluation of many tenants spreads over masters. 1: one queue.
     */
    EVALUATION_QUEUE_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
    /**
     * Contexts every product's profile is kept for, `REGION:buyerType:channel` comma-separated.
     * @defaultValue EU/US × consumer/business × agent
     */
    EVALUATION_CONTEXTS: commaList.pipe(z.array(evaluationContext).min(1).max(64)).default(
      DEFAULT_CONTEXTS.map(({ region, buyerType, channel }) => ({
        region,
        buyerType,
        channel,
      })),
    ),
    /**
     * Products one evaluation job takes from the tenant's dirty set. A job costs a few ms of
     * queue work besides its products (claim, completion, successor), so larger batches spend
     * less of a catalog's evaluation on it; the job writes in slices either way.
     */
    EVALUATION_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(2_000),
    /** Delay before an evaluation job runs, so a burst of changes is evaluated once. */
    /**
     * 1: decide and encode a batch's slices on an evaluation thread while the main thread reads
     * and writes, so one tenant's evaluation can use a second core; 0: on the main thread. Off by
     * default: on a 2-core machine that also runs Redis it was slower (README, Benchmarks).
     */
    EVALUATION_THREADS: z.coerce.number().int().min(0).max(1).default(0),
    EVALUATION_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(200),
    /**
     * How long a decision event waits for later changes of its (subscription, product, context)
     * before it is sent: a burst within the window is one event with the latest decisions.
     */
    DECISION_EVENT_COALESCE_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
    /**
     * Most deliveries waiting in the webhook delivery queue (its waiting jobs × DELIVERY_BATCH)
     * before the decision-event projection holds back: the changes wait in the tenant's change
     * stream, compact, instead of in the outbox and the queue, so a catalog-wide change neither
     * floods Redis with events nor makes checkout effects queue behind them in the drain.
     */
    DECISION_EVENT_QUEUE_HIGH_WATER: z.coerce.number().int().min(1).max(10_000_000).default(16_384),
    /**
     * How long ahead of a profile's validUntil a subscription asking for `profile.expiring` is
     * warned (checked by the staleness sweep).
     */
    PROFILE_EXPIRING_LEAD_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    /** How often due profiles (validUntil passed) are moved back to evaluation. */
    STALENESS_SWEEP_EVERY_MS: z.coerce.number().int().min(100).max(3_600_000).default(1_000),
    /** How often the drift audit re-decides a sample of stored profiles (audit-drift job). */
    DRIFT_AUDIT_EVERY_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    /** Products per tenant each drift audit samples (it walks the catalog run after run). */
    DRIFT_AUDIT_SAMPLE: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Approximate number of audit entries kept per product (XADD MAXLEN ~). */
    AUDIT_MAXLEN_PER_PRODUCT: z.coerce.number().int().min(10).max(1_000_000).default(1_000),
    /** Largest body of POST /v1/products/batch (up to 1,000 products). */
    INGEST_BATCH_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(268_435_456)
      .default(8_388_608),
    /** Tenant the catalog pull (CATALOG_URL) ingests into. @defaultValue the first AUTH_TOKENS tenant */
    CATALOG_TENANT: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i)
      .optional(),
    /** How often the catalog pull runs when CATALOG_URL is set. */
    CATALOG_PULL_EVERY_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    /** Per-request timeout of the catalog pull (headers and body each). */
    CATALOG_PULL_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    /** Retries of one catalog page on a network error or 5xx, with exponential backoff. */
    CATALOG_PULL_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    /** Cadence of each feed's scheduled full publish. */
    FEED_PUBLISH_EVERY_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(900_000),
    /** After profiles change, publish the feeds at most this long later (changes coalesce). */
    FEED_PUBLISH_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    /** The context whose decisions the feeds publish, `REGION:buyerType:channel`. */
    FEED_CONTEXT: evaluationContext.default({
      region: 'EU',
      buyerType: 'consumer',
      channel: 'agent',
    }),
    /** Root of the directory sink; each tenant's feeds go to `${FEED_DIR}/{tenant}/{feed}/`. */
    FEED_DIR: z.string().min(1).default('./var/feeds'),
    /** Published versions kept per feed besides the current one. */
    FEED_KEEP_VERSIONS: z.coerce.number().int().min(1).max(100).default(3),
    /**
     * `on`: a publish keeps what it rendered per product and the next copies what is still
     * current instead of rendering it again (feeds/feed-render-cache.ts); costs Redis memory,
     * about the feed's size per feed. `off`: every publish renders every item.
     */
    FEED_RENDER_CACHE: z.enum(['on', 'off']).default('on'),
    /** When set, every published feed is also PUT to `${FEED_SINK_URL}/{tenant}/{feed}/…`. */
    FEED_SINK_URL: optionalUrl,
    /** Per-request timeout of the HTTP PUT sink. */
    FEED_SINK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** Retries of one HTTP PUT on a network error or 5xx, with exponential backoff. */
    FEED_SINK_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    /**
     * Where `GET /v1/feeds/…` (and every feed reader) finds published feeds. `directory`: this
     * machine's FEED_DIR, which the publishing workers write (one machine, or a shared volume).
     * `sink`: the store behind FEED_SINK_URL, copied into FEED_DIR on first read, so ingress
     * and workers need no shared volume (feeds/sinks/sink-mirror-source.ts).
     */
    FEED_SOURCE: z.enum(['directory', 'sink']).default('directory'),
    /**
     * Seller name the feeds carry (acp on every variant; openai-flat requires it on every row).
     * @defaultValue the demo store's outside production (src/app/feed-seller.ts), else unset
     */
    FEED_SELLER_NAME: z.string().min(1).max(200).optional(),
    /** The seller's storefront page (openai-flat `seller_url`). @defaultValue as FEED_SELLER_NAME */
    FEED_SELLER_URL: optionalUrl,
    /**
     * The seller's privacy policy; openai-flat requires it on rows that offer checkout.
     * @defaultValue as FEED_SELLER_NAME
     */
    FEED_SELLER_PRIVACY_POLICY_URL: optionalUrl,
    /**
     * The seller's terms of service; openai-flat requires it on rows that offer checkout.
     * @defaultValue as FEED_SELLER_NAME
     */
    FEED_SELLER_TOS_URL: optionalUrl,
    /** Country of the store (openai-flat `store_country`, required). @defaultValue as FEED_SELLER_NAME */
    FEED_STORE_COUNTRY: z
      .literal('')
      .transform(() => undefined)
      .or(countryCode)
      .optional(),
    /**
     * Countries the listings are offered in, comma-separated (openai-flat `target_countries`,
     * required). @defaultValue as FEED_SELLER_NAME
     */
    FEED_TARGET_COUNTRIES: z
      .literal('')
      .transform(() => undefined)
      .or(commaList.pipe(z.array(countryCode).min(1).max(250)))
      .optional(),
    // --- end catalog and feeds ---

    // ── Checkout: outbox and provider effects ───────────────────────────────────────────────
    /** Inventory reservation provider; unset outside production starts the sandbox provider. */
    RESERVATION_URL: optionalUrl,
    /** Payment provider (authorize, capture, void, refund, status); unset → sandbox (not in production). */
    PAYMENT_URL: optionalUrl,
    /** Receipt provider; unset → sandbox (not in production). */
    RECEIPT_URL: optionalUrl,
    /** This merchant's id as mandates name it. @defaultValue the tenant id */
    MERCHANT_ID: z.string().min(1).max(256).optional(),
    /**
     * The merchant's signing keys (AP2 checkout JWTs and receipts), a JWK Set of private P-256
     * keys as JSON: the first signs, all are published at /.well-known/jwks.json.
     * @defaultValue a development key generated on first start and kept in Redis
     */
    MERCHANT_SIGNING_JWKS: jwkSetText.pipe(PrivateSigningJwksSchema).optional(),
    /** HMAC-SHA256 key for `Merchant-Signature` on agent webhooks. */
    WEBHOOK_SECRET: z.string().min(16).default(DEMO_WEBHOOK_SECRET),
    /** TCP connect timeout of every provider call. */
    PROVIDER_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(3_000),
    /** Time for the provider's response headers, and again for its body. */
    PROVIDER_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(10_000),
    /** Connections per provider pool (undici Pool). */
    PROVIDER_CONNECTIONS: z.coerce.number().int().min(1).max(1_000).default(32),
    /** Delivery attempts per effect before it is dead-lettered. */
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    /** First retry delay; doubles per attempt, with full jitter. */
    OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
    /** Ceiling of one retry delay. */
    OUTBOX_BACKOFF_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(300_000),
    /** A provider's Retry-After is honoured up to this long. */
    OUTBOX_RETRY_AFTER_MAX_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    /**
     * An effect the chain retries after its attempts ran out (a capture: money may have moved) is
     * sent again, with fresh attempts, this long after each exhausted round.
     */
    OUTBOX_EXHAUSTED_RETRY_MS: z.coerce.number().int().min(10).max(86_400_000).default(300_000),
    /** How often the drain job moves due outbox entries into delivery jobs. */
    OUTBOX_DRAIN_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
    /** Entries moved per drain round trip. */
    OUTBOX_DRAIN_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
    /** A drained entry is due again after this long unless delivered (a lost enqueue heals). */
    OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** Provider calls in flight per provider per worker process (and delivery jobs at once). */
    DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
    /**
     * Effects whose first attempt one delivery job makes, concurrently (within
     * DELIVERY_CONCURRENCY); 1 gives every effect a job of its own.
     */
    DELIVERY_BATCH: z.coerce.number().int().min(1).max(MAX_DELIVERY_BATCH).default(128),
    /** BullMQ lock of a delivery job; a crashed worker's job is picked up after about this long. */
    DELIVERY_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    /** Consecutive failures that open a provider's circuit breaker. */
    BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
    /** How long an open breaker holds calls back before one trial call. */
    BREAKER_OPEN_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
    /** How often the reconciliation job compares payments with the provider. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    /** Delivered outbox effects are forgotten this long after they settled (dead letters stay). */
    OUTBOX_RETENTION_SECONDS: z.coerce.number().int().min(3_600).max(31_536_000).default(604_800),
    /** How long a reservation holds stock. */
    RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /**
     * How long Idempotency-Key answers are kept, the checkout API's and the ACP routes' (ACP: at
     * least 24 h).
     */
    IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(86_400).max(2_592_000).default(86_400),
    /**
     * How long a running checkout or ACP request holds its Idempotency-Key at most: the same key
     * meanwhile answers 409 (in flight); a request that crashed holds it no longer than this.
     */
    IDEMPOTENCY_CLAIM_TTL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    // ── end checkout ───────────────────────────────────────────────────────────────────────
    // --- operations ---
    /** Opens /admin/* (dashboard, readiness) as a bearer token or the Basic-auth password. */
    OPERATOR_TOKEN: z
      .string()
      .min(16, { message: 'must be at least 16 characters' })
      .default(DEMO_OPERATOR_TOKEN),
    /** When set, /metrics requires it as a bearer token; unset, /metrics is open (scrape on a private network). */
    METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    /**
     * How long an MCP session lives unused (no request, no open GET stream): its resource
     * subscriptions end with it, and a request naming it is answered 404 (initialize again).
     */
    MCP_SESSION_IDLE_MS: z.coerce.number().int().min(10_000).max(86_400_000).default(1_800_000),
    // --- A2A ingress (adapters/a2a, app/a2a.ts) ---
    /**
     * Base URL the agent card advertises for the JSON-RPC endpoint. Set it in every deployment
     * behind a proxy.
     * @defaultValue `http://HOST:<listening port>`
     */
    PUBLIC_BASE_URL: optionalUrl,
    /** How long a blocking SendMessage waits for a terminal task before answering with it as is. */
    A2A_BLOCKING_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    /** How long a finished or pending A2A task stays readable (GetTask, ListTasks, replays). */
    A2A_TASK_RETENTION_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(86_400),
    /** Largest JSON-RPC request body the A2A endpoint reads; larger bodies are refused with 413. */
    A2A_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(65_536),
    /** Intent jobs one worker process runs at once. */
    A2A_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    // --- end A2A ingress ---
    // --- ACP order events (adapters/acp/order-event.ts) ---
    /**
     * The agent platform's order-events webhook (openapi.agentic_checkout_webhook.yaml,
     * `POST …/agentic_checkout/webhooks/order_events`). Unset: no ACP order events are sent.
     */
    ACP_WEBHOOK_URL: optionalUrl,
    /** Shared secret of the `Merchant-Signature` HMAC on ACP order events; required with the URL. */
    ACP_WEBHOOK_SECRET: z
      .string()
      .min(16, { message: 'must be at least 16 characters' })
      .optional(),
    /**
     * The buyer's order page, `Order.permalink_url` (required by the spec): `{order_id}` is
     * replaced by the order id. Required with ACP_WEBHOOK_URL.
     */
    ACP_ORDER_URL_TEMPLATE: z
      .string()
      .refine(
        (value) =>
          value.includes('{order_id}') &&
          /^https?:\/\//.test(value) &&
          URL.canParse(value.replaceAll('{order_id}', 'ord')),
        {
          message: 'must be an http(s) URL containing {order_id}',
        },
      )
      .optional(),
    // --- end ACP order events ---
    // --- ACP delegated payment (http/acp/delegate-payment-routes.ts) ---
    /**
     * How far ahead a delegate_payment allowance may expire; a later `expires_at` is refused, so
     * a vault token cannot become a standing credential. @defaultValue 30 days
     */
    ACP_ALLOWANCE_MAX_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(31_536_000)
      .default(2_592_000),
    // --- end ACP delegated payment ---
    // --- UCP negotiation: fetching platform profiles (http/ucp/platform-profiles.ts) ---
    /** TCP (and TLS) connect timeout of a platform profile fetch. */
    UCP_PROFILE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
    /** Whole-fetch deadline of a platform profile (headers and body together). */
    UCP_PROFILE_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5_000),
    /** Largest platform profile read; a larger one is refused mid-stream (profile_unreachable). */
    UCP_PROFILE_MAX_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(262_144),
    /** Platform profiles kept in the in-process LRU cache (a fixed discovery footprint). */
    UCP_PROFILE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
    /** Floor of a cached profile's lifetime, whatever its Cache-Control says (overview.md: 60 s). */
    UCP_PROFILE_CACHE_MIN_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** Ceiling of a cached profile's lifetime. */
    UCP_PROFILE_CACHE_MAX_TTL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(604_800_000)
      .default(3_600_000),
    /**
     * Fetch platform profiles over plain http too (the spec requires https).
     * @defaultValue true outside production
     */
    UCP_PROFILE_ALLOW_HTTP: booleanFromEnv.optional(),
    /**
     * Fetch platform profiles from loopback, private, link-local, unique-local, multicast and
     * unspecified addresses (an SSRF guard when false).
     * @defaultValue true outside production
     */
    UCP_PROFILE_ALLOW_PRIVATE_ADDRESSES: booleanFromEnv.optional(),
    // --- end UCP negotiation ---
    // --- AP2 mandates (app/ap2.ts, adapters/ap2/) ---
    /**
     * Issuers whose mandates are trusted (the user's wallet, a trusted agent provider): a JSON JWK
     * Set of their public keys, matched by `kid`.
     */
    AP2_TRUSTED_ISSUERS_JWKS: jwkSetText
      .pipe(
        z.object({
          keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().min(1) })).max(100),
        }),
      )
      .optional(),
    /** A JWKS URL of trusted issuers (fetched and cached by jose), beside or instead of the static set. */
    AP2_TRUSTED_ISSUERS_JWKS_URL: optionalUrl,
    /** Clock skew allowed on a mandate's `iat`, `nbf` and `exp`. */
    AP2_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    /** How long a signed checkout JWT can be bound by a mandate. */
    AP2_CHECKOUT_JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    // --- end AP2 mandates ---
    // --- UCP checkout (app/ucp.ts) ---
    /**
     * The merchant's page where a buyer carries on with a UCP checkout (`continue_url`, on every
     * checkout that is not finished): `{checkout_id}` is replaced by the checkout id. Unset, it
     * is the checkout's own REST URL (this service has no buyer-facing page).
     */
    UCP_CONTINUE_URL_TEMPLATE: z
      .string()
      .refine(
        (value) =>
          value.includes('{checkout_id}') &&
          /^https?:\/\//.test(value) &&
          URL.canParse(value.replaceAll('{checkout_id}', 'chk')),
        { message: 'must be an http(s) URL containing {checkout_id}' },
      )
      .optional(),
    // --- end UCP checkout ---
  })
  .superRefine((config, ctx) => {
    // An ACP order event is signed and names the order's page: neither has a safe default.
    if (config.ACP_WEBHOOK_URL !== undefined) {
      for (const name of ['ACP_WEBHOOK_SECRET', 'ACP_ORDER_URL_TEMPLATE'] as const) {
        if (config[name] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'must be set with ACP_WEBHOOK_URL',
          });
      }
    }
    if (config.FEED_SOURCE === 'sink' && config.FEED_SINK_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['FEED_SINK_URL'],
        message: 'must be set with FEED_SOURCE=sink (feeds are read back from there)',
      });
    }
    if (config.UCP_PROFILE_CACHE_MIN_TTL_MS > config.UCP_PROFILE_CACHE_MAX_TTL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['UCP_PROFILE_CACHE_MIN_TTL_MS'],
        message: 'must not exceed UCP_PROFILE_CACHE_MAX_TTL_MS',
      });
    }
    if (config.NODE_ENV !== 'production') return;
    // The demo secrets are public (they are in the README): production must bring its own.
    if (config.OPERATOR_TOKEN === DEMO_OPERATOR_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPERATOR_TOKEN'],
        message: 'must be set in production (the demo token is public)',
      });
    }
    if (config.WEBHOOK_SECRET === DEMO_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET'],
        message: 'must be set in production (the sandbox secret is public)',
      });
    }
    // The agent card advertises PUBLIC_BASE_URL, else http://HOST:PORT; a wildcard address
    // there sends every client to 0.0.0.0, which is nowhere. Only roles with the card count.
    if (
      (config.ROLE === 'all' || config.ROLE === 'ingress') &&
      isWildcardHost(
        config.PUBLIC_BASE_URL === undefined
          ? config.HOST
          : new URL(config.PUBLIC_BASE_URL).hostname,
      )
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_BASE_URL'],
        message:
          'must be set in production to the URL clients reach this service at (the agent card ' +
          'would advertise the wildcard address)',
      });
    }
    if (config.AUTH_TOKENS.some((entry) => entry.token === DEMO_TENANT_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_TOKENS'],
        message: 'must be set in production (the demo token is public)',
      });
    }
  });

/** 0.0.0.0 and :: are listen-on-everything addresses, never an address to connect to. */
function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || /^[0:]*::?[0:]*$/.test(bare);
}

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const raw = env[name];
      const shown =
        raw === undefined ? '' : ` (got ${JSON.stringify(redactConfigValue(name, raw))})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(result.data);
}

/**
 * Secrets never reach an error message either: not the secret variables, and not the password
 * of a URL such as `redis://:password@host`, which is shown when its scheme is wrong.
 */
function redactConfigValue(name: string, value: string): string {
  if (/TOKEN|SECRET|PASSWORD|KEY$/i.test(name) && name !== 'KEY_PREFIX') return '[redacted]';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/i, '$1[redacted]@');
}

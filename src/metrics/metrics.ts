import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per process. Features record into these;
 * queue depths come from BullMQ's own exporter at scrape time (metrics/queue-metrics.ts).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'acw_process_' });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'acw_http_request_duration_seconds',
      help: 'HTTP request duration by route and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'acw_job_duration_seconds',
      help: 'Duration of BullMQ jobs by queue and outcome (completed, failed, or delayed: a job that moved itself to delayed)',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers,
    }),
    decisions: new Counter({
      name: 'acw_decisions_total',
      help: 'Decisions evaluated, by action and result',
      labelNames: ['action', 'result'] as const,
      registers,
    }),
    providerCallDuration: new Histogram({
      name: 'acw_provider_call_duration_seconds',
      help: 'Provider calls by provider and outcome (2xx, 4xx, 5xx, timeout, transport, circuit_open)',
      labelNames: ['provider', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outboxExhausted: new Counter({
      name: 'acw_outbox_exhausted_total',
      help: 'Outbox effects whose attempts ran out, by provider, effect kind and handling (retried_later on the long schedule, or dead_lettered), as the effect chain decides',
      labelNames: ['provider', 'kind', 'handling'] as const,
      registers,
    }),
    outboxEntries: new Gauge({
      name: 'acw_outbox_entries',
      help: 'Outbox entries by state (due, in_flight, dead_letter), per tenant',
      labelNames: ['tenant', 'state'] as const,
      registers,
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: 'acw_outbox_oldest_due_age_seconds',
      help: 'Age of the oldest due outbox entry, per tenant',
      labelNames: ['tenant'] as const,
      registers,
    }),
    drift: new Counter({
      name: 'acw_drift_total',
      help: 'Drift audit findings by surface and kind (stale: stored profile out of date; optimistic: a surface says more than the domain; mismatch: says otherwise), per product and context',
      labelNames: ['surface', 'kind'] as const,
      registers,
    }),
    a2aTaskWatches: new Gauge({
      name: 'acw_a2a_task_watches',
      help: 'A2A tasks being waited on by this process (blocking sends and open task streams)',
      registers,
    }),
    mcpStreams: new Gauge({
      name: 'acw_mcp_streams',
      help: 'MCP session streams (GET /mcp) this process holds open, each hearing of the profiles its session subscribed to',
      registers,
    }),
    decisionEvents: new Counter({
      name: 'acw_decision_events_total',
      help: 'Decision events by tenant and outcome: projected (written to the outbox), coalesced (an unsent event a later change of its key merged into), lost_gap (changes trimmed before they were projected), expiring (profile.expiring warnings written), held (a projection that waited for the webhook delivery queue to drain below DECISION_EVENT_QUEUE_HIGH_WATER)',
      labelNames: ['tenant', 'outcome'] as const,
      registers,
    }),
    subscriptions: new Gauge({
      name: 'acw_subscriptions',
      help: 'Product subscriptions, per tenant',
      labelNames: ['tenant'] as const,
      registers,
    }),
    decisionEventsBacklog: new Gauge({
      name: 'acw_decision_events_backlog',
      help: 'Decision events on their way, per tenant, by stage: unprojected (change-stream entries the projector has not turned into events yet), undelivered (events pending in the outbox), dead_letter (dead-lettered events)',
      labelNames: ['tenant', 'stage'] as const,
      registers,
    }),
    decisionEventsLagSeconds: new Gauge({
      name: 'acw_decision_events_lag_seconds',
      help: 'How far the subscribers are behind the decisions, per tenant: the older of the oldest unprojected change and the oldest due undelivered decision event (0: none waits)',
      labelNames: ['tenant'] as const,
      registers,
    }),
    feedAgeSeconds: new Gauge({
      name: 'acw_feed_age_seconds',
      help: 'Seconds since the feed was last published, per tenant and feed',
      labelNames: ['tenant', 'feed'] as const,
      registers,
    }),
    feedItems: new Gauge({
      name: 'acw_feed_items',
      help: 'Items in the last published feed, per tenant and feed',
      labelNames: ['tenant', 'feed'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

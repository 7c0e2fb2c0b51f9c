import type { EvaluationContext, Readiness, RemediationView } from '../../domain/index.js';
import { type Html, html, raw } from './html.js';
import type { ReadinessSummary } from './readiness-model.js';

export interface OutboxSummary {
  due: number;
  inFlight: number;
  deadLettered: number;
  oldestDueAgeSeconds: number | null;
  deadLetters: { id: string; effect: string; lastError: string; failedAt: string }[];
  /** Effects whose attempts ran out and that have had no answer since. */
  exhausted: number;
  /** The longest-waiting of them: retried on the long schedule (`nextRoundAt`) or dead-lettered. */
  exhaustedEffects: { id: string; effect: string; since: string; nextRoundAt: string | null }[];
}

export interface FeedSummary {
  name: string;
  lastPublishedAt: string | null;
  ageSeconds: number | null;
  count: number | null;
}

export interface ReadinessPageModel {
  tenant: string;
  tenants: string[];
  summary: ReadinessSummary;
  detail?: { context: EvaluationContext; view: RemediationView };
  outbox: OutboxSummary | null;
  feeds: FeedSummary[];
  csrfToken: string;
  notice?: string;
}

const READINESS_LABEL: Record<Readiness, string> = {
  ready: 'Ready',
  partially_ready: 'Partially ready',
  blocked: 'Blocked',
};

const ACTION_LABEL: Record<string, string> = {
  discover: 'discover',
  compare: 'compare',
  quote_policy: 'quote policy',
  add_to_cart: 'add to cart',
  prepare_checkout: 'prepare checkout',
  delegate_payment: 'delegated payment',
};

function contextLabel(context: EvaluationContext): string {
  return `${context.region} · ${context.buyerType} · ${context.channel}`;
}

function contextQuery(context: EvaluationContext): string {
  return `region=${encodeURIComponent(context.region)}&buyerType=${context.buyerType}&channel=${context.channel}`;
}

function actionLabel(item: { action: string; policyDomain?: string }): string {
  const base = ACTION_LABEL[item.action] ?? item.action;
  return item.policyDomain ? `${base} (${item.policyDomain})` : base;
}

function age(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f;max-width:1100px}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85em}
.ready{background:#dff5e1}.partially_ready{background:#fff2cc}.blocked{background:#fde0e0}
code{font-size:.9em;background:#f4f4f4;padding:0 .25rem;border-radius:3px}
form{display:inline}button{cursor:pointer}.notice{background:#eef6ff;padding:.5rem 1rem;border-radius:6px}
nav a{margin-right:1rem}`;

function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

function summarySection(model: ReadinessPageModel): Html {
  const rows = model.summary.rows.map(
    (row) =>
      html`<tr><td>${contextLabel(row.context)}</td><td>${row.counts.ready}</td><td>${row.counts.partially_ready}</td><td>${row.counts.blocked}</td></tr>`,
  );
  return html`<h2>Agent readiness by context</h2>
<table id="summary"><thead><tr><th>Context</th><th>Ready</th><th>Partially ready</th><th>Blocked</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4">No profiles evaluated yet.</td></tr>`}</tbody></table>`;
}

function productsSection(model: ReadinessPageModel): Html {
  const rows = model.summary.products.map(
    (row) => html`<tr>
<td><a href="/admin/readiness?tenant=${encodeURIComponent(model.tenant)}&product=${encodeURIComponent(row.productId)}&${contextQuery(row.context)}">${row.productId}</a></td>
<td>${contextLabel(row.context)}</td>
<td><span class="badge ${row.readiness}">${READINESS_LABEL[row.readiness]}</span></td>
<td>${row.blockerCodes.map((code) => html`<code>${code}</code> `)}</td></tr>`,
  );
  return html`<h2>Products</h2><table id="products"><thead><tr><th>Product</th><th>Context</th><th>Readiness</th><th>Blocker codes</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function detailSection(detail: NonNullable<ReadinessPageModel['detail']>): Html {
  const { view, context } = detail;
  const blockers = view.remediation.filter((item) => item.severity === 'blocker');
  const warnings = view.remediation.filter((item) => item.severity === 'warning');
  return html`<section id="product-detail">
<h2>${view.productId} — ${contextLabel(context)}</h2>
<p>Agent readiness: <span class="badge ${view.readiness}" id="readiness">${READINESS_LABEL[view.readiness]}</span></p>
<h3>Allowed</h3><ul id="allowed">${view.allowed.map((item) => html`<li>${actionLabel(item)}</li>`)}</ul>
<h3>Not allowed</h3><ul id="not-allowed">${view.notAllowed.map(
    (item) =>
      html`<li>${actionLabel(item)} — ${item.result.replaceAll('_', ' ')} ${item.codes.map((code) => html`<code>${code}</code> `)}</li>`,
  )}</ul>
<h3>Reasons</h3><ul id="reasons">${[...blockers, ...warnings].map((item) => html`<li><code>${item.code}</code> ${item.message}</li>`)}</ul>
<h3>Suggested actions</h3><ol id="remediation">${[...blockers, ...warnings].map(
    (item) =>
      html`<li>${item.nextAction} <small>(unblocks ${item.affects.length} decision${item.affects.length === 1 ? '' : 's'})</small></li>`,
  )}</ol>
</section>`;
}

function outboxSection(model: ReadinessPageModel): Html {
  const outbox = model.outbox;
  if (outbox === null) return html`<h2>Outbox</h2><p>No outbox in this deployment.</p>`;
  const letters = outbox.deadLetters.map(
    (
      letter,
    ) => html`<tr><td><code>${letter.id}</code></td><td>${letter.effect}</td><td>${letter.lastError}</td><td>${letter.failedAt}</td>
<td><form method="post" action="/admin/readiness/dead-letter/${encodeURIComponent(letter.id)}/replay?tenant=${encodeURIComponent(model.tenant)}">${csrfField(model.csrfToken)}<button type="submit">Replay</button></form></td></tr>`,
  );
  return html`<h2>Outbox</h2>
<table id="outbox"><tbody>
<tr><th>Due</th><td>${outbox.due}</td></tr><tr><th>In flight</th><td>${outbox.inFlight}</td></tr>
<tr><th>Dead-lettered</th><td>${outbox.deadLettered}</td></tr><tr><th>Oldest due</th><td>${age(outbox.oldestDueAgeSeconds)}</td></tr>
<tr><th>Exhausted, unanswered</th><td>${outbox.exhausted}</td></tr>
</tbody></table>
${exhaustedTable(outbox)}
${letters.length ? html`<h3>Dead letters</h3><table id="dead-letters"><thead><tr><th>Effect id</th><th>Effect</th><th>Last error</th><th>Failed at</th><th></th></tr></thead><tbody>${letters}</tbody></table>` : ''}`;
}

function exhaustedTable(outbox: OutboxSummary): Html | string {
  if (outbox.exhaustedEffects.length === 0) return '';
  const rows = outbox.exhaustedEffects.map(
    (item) =>
      html`<tr><td><code>${item.id}</code></td><td>${item.effect}</td><td>${item.since}</td><td>${item.nextRoundAt === null ? 'dead-lettered' : `retried at ${item.nextRoundAt}`}</td></tr>`,
  );
  return html`<h3>Exhausted effects</h3><table id="exhausted"><thead><tr><th>Effect id</th><th>Effect</th><th>Exhausted since</th><th>State</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function feedsSection(model: ReadinessPageModel): Html {
  const rows = model.feeds.map(
    (
      feed,
    ) => html`<tr><td>${feed.name}</td><td>${feed.lastPublishedAt ?? 'never'}</td><td>${age(feed.ageSeconds)}</td><td>${feed.count ?? '—'}</td>
<td><form method="post" action="/admin/readiness/feeds/${encodeURIComponent(feed.name)}/publish?tenant=${encodeURIComponent(model.tenant)}">${csrfField(model.csrfToken)}<button type="submit">Publish now</button></form></td></tr>`,
  );
  return html`<h2>Feeds</h2><table id="feeds"><thead><tr><th>Feed</th><th>Last published</th><th>Age</th><th>Items</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The whole page: server-rendered, no scripts, every value escaped. */
export function renderReadinessPage(model: ReadinessPageModel): string {
  const tenants = model.tenants.map(
    (tenant) =>
      html`<a href="/admin/readiness?tenant=${encodeURIComponent(tenant)}"${tenant === model.tenant ? html` aria-current="page"` : ''}>${tenant}</a>`,
  );
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Readiness · ${model.tenant}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${raw(STYLE)}</style></head>
<body><h1>Agent readiness — tenant ${model.tenant}</h1>
<nav>Tenants: ${tenants} · <a href="/admin/queues">Queue dashboard</a></nav>
${model.notice ? html`<p class="notice" role="status">${model.notice}</p>` : ''}
${model.detail ? detailSection(model.detail) : ''}
${summarySection(model)}${productsSection(model)}${outboxSection(model)}${feedsSection(model)}
</body></html>`.value;
}

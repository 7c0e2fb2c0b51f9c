import {
  type BlockerCode,
  type DriftSummary,
  type EvaluationContext,
  READINESS_STATES,
  type Readiness,
  type ReadinessEntry,
  type RemediationView,
} from '../../domain/index.js';
import type {
  FeedSummary,
  OutboxSummary,
  ReadinessListing,
  ReadinessListRequest,
  ReadinessOverview,
  SubscriptionsSummary,
} from '../../services/readiness-data.js';
import { driftSection } from './drift-section.js';
import { type Html, html, raw } from './html.js';

export interface ReadinessPageModel {
  tenant: string;
  tenants: string[];
  overview: ReadinessOverview;
  /** the list's filter (its context is one of overview.contexts) and the page it shows */
  filter: ReadinessListRequest;
  listing: ReadinessListing;
  detail?: { context: EvaluationContext; view: RemediationView };
  outbox: OutboxSummary | null;
  feeds: FeedSummary[];
  /** the subscriptions and their decision events; absent where the sources keep none */
  subscriptions?: SubscriptionsSummary;
  /** the last drift audit (null: none yet); absent where the sources keep none */
  drift?: DriftSummary | null;
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

/** Rows per page of the product list unless the query asks for another `limit`. */
export const DEFAULT_PAGE_SIZE = 50;

/** A context as EVALUATION_CONTEXTS spells it, `EU:consumer:agent`: the page's `context` value. */
export function contextName(context: EvaluationContext): string {
  return `${context.region}:${context.buyerType}:${context.channel}`;
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
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem 2rem;color:#1d1d1f}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85em}
.ready{background:#dff5e1}.partially_ready{background:#fff2cc}.blocked{background:#fde0e0}
code{font-size:.9em;background:#f4f4f4;padding:0 .25rem;border-radius:3px}
form{display:inline}button{cursor:pointer}.notice{background:#eef6ff;padding:.5rem 1rem;border-radius:6px}
nav a{margin-right:1rem}.scroll{overflow-x:auto}
#filter label{margin-right:1rem}#filter select,#filter input{font:inherit}
#products th[scope=row]{white-space:nowrap}
.codes code{margin-right:.25rem}.pager a,.pager span{margin-right:1rem}.muted{color:#777}`;

/** A one-letter mark as the page's icon, inline, so the browser asks for no /favicon.ico. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2f6f3e"/><path d="M4 8.5l2.5 2.5L12 5" stroke="#fff" stroke-width="2" fill="none"/></svg>';

function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

function summarySection(model: ReadinessPageModel): Html {
  const { overview } = model;
  const rows = overview.contexts.map((row) => {
    const evaluated = READINESS_STATES.reduce((sum, state) => sum + row.counts[state], 0);
    return html`<tr><td>${contextLabel(row.context)}</td><td>${count(row.counts.ready)}</td><td>${count(row.counts.partially_ready)}</td><td>${count(row.counts.blocked)}</td><td>${count(Math.max(0, overview.products - evaluated))}</td></tr>`;
  });
  return html`<h2>Agent readiness by context</h2>
<p class="muted">${count(overview.products)} products in the catalog; counts kept by the evaluation jobs.</p>
<table id="summary"><thead><tr><th>Context</th><th>Ready</th><th>Partially ready</th><th>Blocked</th><th>Not evaluated</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function count(n: number): string {
  return n.toLocaleString('en');
}

/** The list's query string with some parameters replaced (undefined drops one). */
function listHref(model: ReadinessPageModel, changes: Record<string, string | undefined>): string {
  const { filter } = model;
  const params: Record<string, string | undefined> = {
    tenant: model.tenant,
    context: contextName(filter.context),
    state: filter.state,
    blocker: filter.blocker,
    q: filter.q,
    limit: filter.limit === DEFAULT_PAGE_SIZE ? undefined : String(filter.limit),
    ...changes,
  };
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `/admin/readiness?${query}`;
}

function filterForm(model: ReadinessPageModel): Html {
  const { filter, overview } = model;
  const current = overview.contexts.find(
    (row) => contextName(row.context) === contextName(filter.context),
  );
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  const states = READINESS_STATES.map((state) =>
    option(
      state,
      `${READINESS_LABEL[state]} (${count(current?.counts[state] ?? 0)})`,
      filter.state === state,
    ),
  );
  const codes = new Map<BlockerCode, number>(
    (current?.codes ?? []).map((row) => [row.code, row.count]),
  );
  if (filter.blocker !== undefined && !codes.has(filter.blocker)) codes.set(filter.blocker, 0);
  const blockers = [...codes].map(([code, n]) =>
    option(code, `${code} (${count(n)})`, filter.blocker === code),
  );
  return html`<form id="filter" method="get" action="/admin/readiness">
<input type="hidden" name="tenant" value="${model.tenant}">
${filter.limit === DEFAULT_PAGE_SIZE ? '' : html`<input type="hidden" name="limit" value="${filter.limit}">`}
<label>Context <select name="context">${overview.contexts.map((row) => option(contextName(row.context), contextLabel(row.context), row === current))}</select></label>
<label>State <select name="state">${option('', 'any', filter.state === undefined)}${states}</select></label>
<label>Blocker <select name="blocker">${option('', 'any', filter.blocker === undefined)}${blockers}</select></label>
<label>Product id starts with <input type="search" name="q" value="${filter.q ?? ''}" size="16"></label>
<button type="submit">Filter</button> <a href="${listHref(model, { context: undefined, state: undefined, blocker: undefined, q: undefined })}">Clear</a>
</form>`;
}

function cell(
  model: ReadinessPageModel,
  productId: string,
  context: EvaluationContext,
  entry: ReadinessEntry | null,
): Html {
  if (entry === null) return html`<td class="muted">—</td>`;
  const href = `/admin/readiness?tenant=${encodeURIComponent(model.tenant)}&product=${encodeURIComponent(productId)}&${contextQuery(context)}`;
  return html`<td><a href="${href}"><span class="badge ${entry.state}">${READINESS_LABEL[entry.state]}</span></a>
<span class="codes">${entry.codes.map((code) => html`<code>${code}</code>`)}</span></td>`;
}

function productsSection(model: ReadinessPageModel): Html {
  const { listing, overview } = model;
  const contexts = overview.contexts.map((row) => row.context);
  const rows = listing.rows.map(
    (row) =>
      html`<tr><th scope="row">${row.productId}</th>${row.cells.map((entry, i) => cell(model, row.productId, contexts[i] as EvaluationContext, entry))}</tr>`,
  );
  const first = listing.rows[0]?.productId;
  const last = listing.rows.at(-1)?.productId;
  const shown = listing.rows.length
    ? `${count(listing.offset + 1)}–${count(listing.offset + listing.rows.length)} of ${count(listing.total)}`
    : `0 of ${count(listing.total)}`;
  const pager = html`<p class="pager">
<span id="shown">Products ${shown}</span>
${listing.offset > 0 && first !== undefined ? html`<a rel="prev" href="${listHref(model, { before: first })}">← Previous</a>` : ''}
${listing.hasNext && last !== undefined ? html`<a rel="next" href="${listHref(model, { after: last })}">Next →</a>` : ''}
${listing.offset > 0 ? html`<a href="${listHref(model, {})}">First page</a>` : ''}</p>`;
  return html`<h2>Products</h2>${filterForm(model)}${pager}
<div class="scroll"><table id="products"><thead><tr><th>Product</th>${contexts.map((context) => html`<th>${contextLabel(context)}</th>`)}</tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="${contexts.length + 1}">No product matches.</td></tr>`}</tbody></table></div>`;
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

/**
 * The tenant's product subscriptions and their decision events on the way: change-stream
 * entries not projected yet, events waiting in the outbox, dead-lettered events (listed with
 * the outbox's dead letters, where they are replayed), and the lag of the oldest.
 */
function subscriptionsSection(summary: SubscriptionsSummary | undefined): Html | string {
  if (summary === undefined) return '';
  // Past the outbox scan's bound the counts are lower bounds.
  const outboxCount = (n: number) => (summary.complete ? count(n) : `≥ ${count(n)}`);
  return html`<h2>Subscriptions</h2>
<table id="subscriptions"><tbody>
<tr><th>Subscriptions</th><td>${count(summary.subscriptions)}</td></tr>
<tr><th>Changes not yet projected</th><td>${count(summary.unprojected)}</td></tr><tr><th>Oldest unprojected</th><td>${age(summary.oldestUnprojectedAgeSeconds)}</td></tr>
<tr><th>Decision events waiting</th><td>${outboxCount(summary.undelivered)}</td></tr><tr><th>Oldest due event</th><td>${age(summary.oldestUndeliveredAgeSeconds)}</td></tr>
<tr><th>Dead-lettered events</th><td>${outboxCount(summary.deadLettered)}</td></tr>
<tr><th>Lag</th><td>${age(summary.lagSeconds)}</td></tr>
</tbody></table>`;
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
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="${`data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`}"><style>${raw(STYLE)}</style></head>
<body><h1>Agent readiness — tenant ${model.tenant}</h1>
<nav>Tenants: ${tenants} · <a href="/admin/queues">Queue dashboard</a></nav>
${model.notice ? html`<p class="notice" role="status">${model.notice}</p>` : ''}
${model.detail ? detailSection(model.detail) : ''}
${summarySection(model)}${productsSection(model)}${outboxSection(model)}${subscriptionsSection(model.subscriptions)}${feedsSection(model)}
${driftSection(model.drift)}
</body></html>`.value;
}

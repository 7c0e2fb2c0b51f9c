import type { DriftSummary } from '../../domain/index.js';
import { type Html, html } from './html.js';

/**
 * The readiness page's drift section: the last drift audit of the tenant (jobs/audit-drift.job.ts)
 * — when it ran, how much it checked, and its findings by surface and kind, optimistic ones
 * named. `undefined`: this deployment shows no drift; `null`: no audit has run yet.
 */
export function driftSection(drift: DriftSummary | null | undefined): Html | string {
  if (drift === undefined) return '';
  if (drift === null)
    return html`<h2>Drift</h2><p id="drift">No drift audit has run for this tenant yet.</p>`;
  const rows = drift.counts.map(
    (row) => html`<tr><td>${row.surface}</td><td>${row.kind}</td><td>${row.count}</td></tr>`,
  );
  const named = drift.optimistic.map((line) => html`<li><code>${line}</code></li>`);
  return html`<h2>Drift</h2><p id="drift">Last audit ${drift.ranAt}: ${drift.products} products, ${drift.checked} product × context checks, ${drift.counts.length === 0 ? 'no disagreement.' : 'disagreements below.'}</p>
${rows.length ? html`<table id="drift-counts"><thead><tr><th>Surface</th><th>Kind</th><th>Findings</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
${named.length ? html`<p>Optimistic (a surface says more than the domain):</p><ul id="drift-optimistic">${named}</ul>` : ''}`;
}

import { z } from 'zod';
import type { EvaluationContext } from './context.js';
import { InstantSchema, toMs } from './time.js';

/**
 * Policy facts: structured terms with applicability, lifecycle and a validity window, never free
 * text for an agent to interpret. Two active facts that apply to the same context and disagree
 * are a conflict, never a silent pick.
 */
export const POLICY_DOMAINS = ['returns', 'shipping', 'warranty', 'cancellation'] as const;
export const PolicyDomainSchema = z.enum(POLICY_DOMAINS);
export type PolicyDomain = z.infer<typeof PolicyDomainSchema>;

export const POLICY_STATUSES = ['draft', 'pending_approval', 'active', 'retired'] as const;

const ANY = '*';
const selector = z.array(z.string().min(1).max(100)).min(1).max(200);

export const PolicyFactSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'letters, digits and . _ : - only' }),
    domain: PolicyDomainSchema,
    status: z.enum(POLICY_STATUSES),
    quoteable: z.boolean(),
    /** `"*"` matches anything. */
    appliesTo: z.strictObject({
      categories: selector,
      regions: selector,
      buyerTypes: selector,
      channels: selector,
    }),
    /** Explicit exclusions, e.g. a shipping fact that says "we do not ship to US". */
    excludes: z.strictObject({ regions: z.array(z.string().min(1).max(100)).max(200) }).optional(),
    validFrom: InstantSchema,
    validTo: InstantSchema.nullable(),
    terms: z.record(z.string(), z.unknown()),
    source: z.string().min(1).max(200),
    /** Bumped by whoever edits the fact; part of its evidence id. */
    version: z.number().int().positive().default(1),
  })
  .refine((policy) => policy.validTo === null || toMs(policy.validTo) > toMs(policy.validFrom), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  });
export type PolicyFact = z.infer<typeof PolicyFactSchema>;
export type PolicyFactInput = z.input<typeof PolicyFactSchema>;

/** What the facts say about one policy domain for one product in one context. */
export type PolicyResolution =
  | { outcome: 'covered'; quoteable: boolean; facts: CompiledPolicy[]; changesAtMs: number | null }
  | { outcome: 'conflict'; facts: CompiledPolicy[]; changesAtMs: number | null }
  | { outcome: 'pending_approval'; facts: CompiledPolicy[]; changesAtMs: number | null }
  | { outcome: 'region_restricted'; facts: CompiledPolicy[]; changesAtMs: number | null }
  | { outcome: 'missing'; facts: CompiledPolicy[]; changesAtMs: number | null };

export interface CompiledPolicy {
  fact: PolicyFact;
  evidenceId: string;
  validFromMs: number;
  validToMs: number;
  termsKey: string;
  matchesCategory(category: string): boolean;
  matchesRegion(region: string): boolean;
  excludesRegion(region: string): boolean;
  matchesBuyerType(buyerType: string): boolean;
  matchesChannel(channel: string): boolean;
}

function matcher(values: readonly string[]): (value: string) => boolean {
  if (values.includes(ANY)) return () => true;
  const set = new Set(values);
  return (value) => set.has(value);
}

/** Canonical JSON (sorted keys) so that equal terms compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function compile(fact: PolicyFact): CompiledPolicy {
  const excluded = new Set(fact.excludes?.regions ?? []);
  return {
    fact,
    evidenceId: `${fact.id}@v${fact.version}`,
    validFromMs: toMs(fact.validFrom),
    validToMs: fact.validTo === null ? Number.POSITIVE_INFINITY : toMs(fact.validTo),
    termsKey: canonicalJson(fact.terms),
    matchesCategory: matcher(fact.appliesTo.categories),
    matchesRegion: matcher(fact.appliesTo.regions),
    excludesRegion: (region) => excluded.has(region),
    matchesBuyerType: matcher(fact.appliesTo.buyerTypes),
    matchesChannel: matcher(fact.appliesTo.channels),
  };
}

/**
 * Policies compiled once for a batch of evaluations; resolutions are memoised per
 * (category, context, now), then per domain, because thousands of products share a handful of
 * categories.
 */
export class PolicyIndex {
  private readonly byDomain = new Map<PolicyDomain, CompiledPolicy[]>();
  private readonly memo = new Map<string, PolicyScope>();
  private memoNowMs = Number.NaN;

  constructor(policies: readonly PolicyFact[]) {
    for (const domain of POLICY_DOMAINS) this.byDomain.set(domain, []);
    for (const policy of policies) this.byDomain.get(policy.domain)?.push(compile(policy));
  }

  /**
   * Every domain's resolution for one category and context at `nowMs`, resolved on first ask.
   * An evaluation takes its scope once, so it builds one memo key rather than one per rule.
   */
  scope(category: string, context: EvaluationContext, nowMs: number): PolicyScope {
    if (nowMs !== this.memoNowMs) {
      this.memo.clear();
      this.memoNowMs = nowMs;
    }
    const key = `${category}|${context.region}|${context.buyerType}|${context.channel}`;
    let scope = this.memo.get(key);
    if (scope === undefined) {
      scope = new PolicyScope(this.byDomain, category, context, nowMs);
      this.memo.set(key, scope);
    }
    return scope;
  }

  resolve(
    domain: PolicyDomain,
    category: string,
    context: EvaluationContext,
    nowMs: number,
  ): PolicyResolution {
    return this.scope(category, context, nowMs).resolve(domain);
  }
}

/** One category and context at one instant, as seen by every policy domain. */
export class PolicyScope {
  private readonly byDomain: ReadonlyMap<PolicyDomain, readonly CompiledPolicy[]>;
  private readonly category: string;
  private readonly context: EvaluationContext;
  private readonly nowMs: number;
  private readonly resolved: Partial<Record<PolicyDomain, PolicyResolution>> = {};

  constructor(
    byDomain: ReadonlyMap<PolicyDomain, readonly CompiledPolicy[]>,
    category: string,
    context: EvaluationContext,
    nowMs: number,
  ) {
    this.byDomain = byDomain;
    this.category = category;
    // A copy: the caller's context object may be reused and changed after this scope is memoised.
    this.context = {
      region: context.region,
      buyerType: context.buyerType,
      channel: context.channel,
    };
    this.nowMs = nowMs;
  }

  resolve(domain: PolicyDomain): PolicyResolution {
    let resolution = this.resolved[domain];
    if (resolution === undefined) {
      const candidates = this.byDomain.get(domain) ?? [];
      resolution = resolvePolicy(candidates, this.category, this.context, this.nowMs);
      this.resolved[domain] = resolution;
    }
    return resolution;
  }
}

/** The next instant at which a fact's window opens or closes, if after now. */
function nextEdge(policy: CompiledPolicy, nowMs: number): number | null {
  if (policy.validFromMs > nowMs) return policy.validFromMs;
  if (policy.validToMs > nowMs && Number.isFinite(policy.validToMs)) return policy.validToMs;
  return null;
}

function resolvePolicy(
  candidates: readonly CompiledPolicy[],
  category: string,
  context: EvaluationContext,
  nowMs: number,
): PolicyResolution {
  const active: CompiledPolicy[] = [];
  const restricting: CompiledPolicy[] = [];
  const pending: CompiledPolicy[] = [];
  let changesAtMs: number | null = null;

  for (const policy of candidates) {
    if (
      !policy.matchesCategory(category) ||
      !policy.matchesBuyerType(context.buyerType) ||
      !policy.matchesChannel(context.channel)
    ) {
      continue;
    }
    const status = policy.fact.status;
    if (status !== 'active' && status !== 'pending_approval') continue;
    // A fact whose window opens or closes later changes this decision then, so it bounds validUntil.
    const edge = nextEdge(policy, nowMs);
    if (edge !== null && (changesAtMs === null || edge < changesAtMs)) changesAtMs = edge;
    if (nowMs < policy.validFromMs || nowMs >= policy.validToMs) continue;
    if (policy.excludesRegion(context.region)) {
      // A pending fact that excludes the region is no pending coverage for it: approving it
      // would restrict the region, so "approve it" (requires_review) would be the wrong advice.
      if (status === 'active') restricting.push(policy);
      continue;
    }
    if (!policy.matchesRegion(context.region)) continue;
    if (status === 'active') active.push(policy);
    else pending.push(policy);
  }

  if (restricting.length > 0)
    return { outcome: 'region_restricted', facts: restricting, changesAtMs };
  const first = active[0];
  if (first !== undefined) {
    if (active.some((policy) => policy.termsKey !== first.termsKey)) {
      return { outcome: 'conflict', facts: active, changesAtMs };
    }
    const quoteable = active.every((policy) => policy.fact.quoteable);
    return { outcome: 'covered', quoteable, facts: active, changesAtMs };
  }
  if (pending.length > 0) return { outcome: 'pending_approval', facts: pending, changesAtMs };
  return { outcome: 'missing', facts: [], changesAtMs };
}

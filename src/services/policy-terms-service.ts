import {
  type CommerceDecision,
  citedPolicyIds,
  decisionFor,
  type EvaluationContext,
  isAllowed,
  type PolicyDomain,
  type PolicyFact,
  type PolicyQuote,
  quotableTerms,
} from '../domain/index.js';
import type { TenantStores } from './evaluation-service.js';
import type { ProfileLookup, ProfileService } from './profile-service.js';

/** A product's quote_policy decision for one domain, and the terms it lets be quoted. */
export interface PolicyTermsAnswer {
  lookup: ProfileLookup;
  decision: CommerceDecision;
  /** present only when the decision is allowed: the terms of the facts it cites */
  quote?: PolicyQuote;
  /**
   * true when the decision allowed a quote but the facts it cites changed under every read:
   * nothing may be quoted from it, and the caller should simply ask again.
   */
  unsettled?: true;
}

/** Reads after the first when the cited facts changed between the decision and their read. */
const REREADS = 2;

/**
 * The policy terms of a product, as the profile service's decision allows them: the decision is
 * the one every surface serves (stored while current), and the terms are read from the stored
 * policy facts that decision cites, never from anywhere else.
 */
export class PolicyTermsService {
  constructor(
    private readonly storesOf: (tenant: string) => TenantStores,
    private readonly profiles: ProfileService,
  ) {}

  async terms(
    tenant: string,
    productId: string,
    domain: PolicyDomain,
    context: EvaluationContext,
  ): Promise<PolicyTermsAnswer> {
    const catalog = this.storesOf(tenant).catalog;
    for (let attempt = 0; ; attempt += 1) {
      const lookup = await this.profiles.lookup(tenant, productId, context);
      const decision = decisionFor(lookup.profile, 'quote_policy', domain);
      // Every profile the domain makes has one decision per policy domain.
      if (decision === undefined) throw new Error(`profile without a ${domain} quote decision`);
      if (!isAllowed(decision)) return { lookup, decision };
      const facts = await Promise.all(citedPolicyIds(decision).map((id) => catalog.getPolicy(id)));
      const quote = quotableTerms(
        decision,
        facts.filter((fact): fact is PolicyFact => fact !== undefined),
      );
      if (quote !== undefined) return { lookup, decision, quote };
      // A policy changed between the decision and this read: decide again on the new facts.
      if (attempt >= REREADS) return { lookup, decision, unsettled: true };
    }
  }
}

import type { ProductActionProfile } from './decision.js';
import {
  DEFAULT_EVALUATION_OPTIONS,
  type EvaluationOptions,
  evaluateProduct,
} from './eligibility/evaluate.js';
import { RULESET_VERSION } from './eligibility/rules.js';
import type { FactsDocument } from './facts-document.js';
import { PolicyIndex } from './policy.js';
import { toMs } from './time.js';

export interface DocumentEvaluation {
  rulesetVersion: string;
  profiles: ProductActionProfile[];
}

/** Every product of a facts document in every one of its contexts, at the document's `now`. */
export function evaluateDocument(
  doc: FactsDocument,
  options: EvaluationOptions = DEFAULT_EVALUATION_OPTIONS,
): DocumentEvaluation {
  const policies = new PolicyIndex(doc.policies);
  const nowMs = toMs(doc.now);
  const profiles: ProductActionProfile[] = [];
  for (const product of doc.products) {
    for (const context of doc.contexts)
      profiles.push(evaluateProduct(product, policies, context, nowMs, options));
  }
  return { rulesetVersion: RULESET_VERSION, profiles };
}

/** The protocol-neutral commerce decision domain. Pure: no I/O, no clock, no protocol names. */
export * from './actions.js';
export * from './authority.js';
export * from './blockers.js';
export * from './checkout/admit.js';
export * from './checkout/cart.js';
export * from './checkout/cart-steps.js';
export * from './checkout/effect-chain.js';
export * from './checkout/ids.js';
export * from './checkout/lines.js';
export * from './checkout/payment-actions.js';
export * from './checkout/record.js';
export * from './checkout/settle.js';
export * from './checkout/start-payment.js';
export * from './checkout/step.js';
export * from './checkout/transitions.js';
export * from './checkout/verdict.js';
export * from './context.js';
export * from './decision.js';
export * from './drift.js';
export {
  DEFAULT_EVALUATION_OPTIONS,
  decisionFor,
  type EvaluationOptions,
  evaluateProduct,
  unknownProductProfile,
} from './eligibility/evaluate.js';
export { ELIGIBILITY_RULES, RULESET_VERSION } from './eligibility/rules.js';
export * from './evaluate-document.js';
export * from './facts-document.js';
export * from './gtin.js';
export * from './intent.js';
export * from './intent-outcome.js';
export * from './intent-task.js';
export * from './listing.js';
export * from './money.js';
export * from './payment/delegation.js';
export * from './payment/mandate-proof.js';
export * from './payment/transitions.js';
export * from './policy.js';
export * from './policy-terms.js';
export * from './projections.js';
export * from './readiness.js';
export * from './remediation.js';
export * from './time.js';
export * from './truth.js';

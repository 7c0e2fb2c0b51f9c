/**
 * The persisted checkout and the answer of a transition are the domain's
 * (domain/checkout/record.ts); re-exported here for the services and stores that persist them.
 */
export * from '../../domain/checkout/record.js';

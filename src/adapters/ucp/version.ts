/** The UCP release we implement (the schemas of ucp/v2026-04-08). */
export const UCP_VERSION = '2026-04-08';

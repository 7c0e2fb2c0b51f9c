import { type Negotiated, UCP_CAPABILITY, type UcpCapabilityName } from './negotiated.js';
import { UCP_VERSION } from './version.js';

/**
 * The capabilities we advertise at /.well-known/ucp and negotiate on every request, and which of
 * them each operation needs. Only what we really do: the AP2 mandates extension, no fulfillment
 * or discount extension (we support neither, so neither is ever negotiated).
 */

/** One version of a capability as a profile declares it (capability.json, business_schema). */
export interface CapabilityDeclaration {
  version: string;
  spec?: string;
  schema?: string;
  /** The parent capability(s), for an extension; absent for a root capability. */
  extends?: string | readonly string[];
  /** The capability's own settings (the AP2 extension's `vp_formats_supported`). */
  config?: Readonly<Record<string, unknown>>;
}

/** A capability registry: name → the versions declared (ucp.json `capabilities`). */
export type CapabilityRegistry = Readonly<Record<string, readonly CapabilityDeclaration[]>>;

const SPEC_BASE = `https://ucp.dev/${UCP_VERSION}/specification`;
const SCHEMA_BASE = `https://ucp.dev/${UCP_VERSION}/schemas/shopping`;

function declared(page: string, schemaFile: string): readonly CapabilityDeclaration[] {
  return [
    { version: UCP_VERSION, spec: `${SPEC_BASE}/${page}`, schema: `${SCHEMA_BASE}/${schemaFile}` },
  ];
}

/** Our capabilities, with the spec pages and schema files the 2026-04-08 release names them by. */
export const BUSINESS_CAPABILITIES = {
  [UCP_CAPABILITY.checkout]: declared('checkout', 'checkout.json'),
  [UCP_CAPABILITY.catalogSearch]: declared('catalog/search', 'catalog_search.json'),
  [UCP_CAPABILITY.catalogLookup]: declared('catalog/lookup', 'catalog_lookup.json'),
  [UCP_CAPABILITY.order]: declared('order', 'order.json'),
  // ap2-mandates.md "Business Profile Advertisement": SD-JWT credentials (dc+sd-jwt) verified.
  [UCP_CAPABILITY.ap2Mandate]: [
    {
      ...declared('ap2-mandates', 'ap2_mandate.json')[0],
      version: UCP_VERSION,
      extends: UCP_CAPABILITY.checkout,
      config: { vp_formats_supported: { 'dc+sd-jwt': {} } },
    },
  ],
} as const satisfies Record<UcpCapabilityName, readonly CapabilityDeclaration[]>;

/**
 * Each operation we serve → the root capability it needs (overview.md, "Response Capability
 * Selection": the root capability relevant to the operation type). Request-time validation
 * refuses an operation whose capability is not in the intersection.
 */
export const UCP_OPERATION_CAPABILITY = {
  create_checkout: UCP_CAPABILITY.checkout,
  get_checkout: UCP_CAPABILITY.checkout,
  update_checkout: UCP_CAPABILITY.checkout,
  complete_checkout: UCP_CAPABILITY.checkout,
  cancel_checkout: UCP_CAPABILITY.checkout,
  search_catalog: UCP_CAPABILITY.catalogSearch,
  lookup_catalog: UCP_CAPABILITY.catalogLookup,
  get_product: UCP_CAPABILITY.catalogLookup,
  get_order: UCP_CAPABILITY.order,
} as const satisfies Record<string, UcpCapabilityName>;

export type UcpOperation = keyof typeof UCP_OPERATION_CAPABILITY;

/** A response's `ucp.capabilities`: name → [{version, extends?}] (capability.json, response_schema). */
export type ResponseCapabilities = Record<
  string,
  { version: string; extends?: string | string[] }[]
>;

/** The parents an `extends` field names (one string or several). */
export function parentsOf(extendsField: string | readonly string[] | undefined): readonly string[] {
  if (extendsField === undefined) return [];
  return typeof extendsField === 'string' ? [extendsField] : extendsField;
}

/**
 * What one response lists (overview.md, "Response Capability Selection"): the operation's root
 * capability when it was negotiated, and each negotiated extension any of whose `extends` names
 * that root. Nothing else: a checkout answer does not list catalog or order.
 */
export function responseCapabilities(
  negotiated: Pick<Negotiated, 'capabilities'>,
  operation: UcpOperation,
): ResponseCapabilities {
  const root = UCP_OPERATION_CAPABILITY[operation];
  const selected: ResponseCapabilities = {};
  for (const [name, capability] of Object.entries(negotiated.capabilities)) {
    const relevant =
      name === root ||
      (capability.extends !== undefined && parentsOf(capability.extends).includes(root));
    if (!relevant) continue;
    selected[name] = [
      capability.extends === undefined
        ? { version: capability.version }
        : { version: capability.version, extends: capability.extends },
    ];
  }
  return selected;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { expect } from 'vitest';
import { specPath, specsAvailable } from './specs.js';

/**
 * Validators of the released UCP 2026-04-08 schemas (ucp/v2026-04-08/source). Every schema file
 * is added under its own `$id` (https://ucp.dev/schemas/…), so relative refs resolve as the
 * release means them. The discovery profile schema is the one exception: its `$id` sits in
 * `…/schemas/discovery/` yet it points at `../schemas/ucp.json`, a path that only works on the
 * source tree; those refs are rewritten to the `$id` base (`../ucp.json`).
 */
const SOURCE = 'ucp/v2026-04-08/source';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsonFilesUnder(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

let shared: Ajv2020 | undefined;

/** One ajv holding every UCP schema (compiled lazily, per `$ref`). */
function ucpAjv(): Ajv2020 {
  if (shared !== undefined) return shared;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const file of jsonFilesUnder(specPath(`${SOURCE}/schemas`))) {
    ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')));
  }
  const profile = readFileSync(specPath(`${SOURCE}/discovery/profile_schema.json`), 'utf8');
  ajv.addSchema(JSON.parse(profile.replaceAll('"../schemas/', '"../')));
  shared = ajv;
  return ajv;
}

/** The `$id` base every UCP schema lives under. */
export const UCP_SCHEMA_BASE = 'https://ucp.dev/schemas/';

/**
 * A validator for a UCP schema by its path under the `$id` base, with an optional fragment:
 * `shopping/checkout.json`, `shopping/catalog_search.json#/$defs/search_response`,
 * `discovery/profile.json#/$defs/business_profile`.
 */
export function ucpValidator(ref: string): ValidateFunction {
  const ajv = ucpAjv();
  const id = `${UCP_SCHEMA_BASE}${ref}`;
  const validate = ajv.getSchema(id);
  if (validate === undefined) throw new Error(`no UCP schema ${id}`);
  return validate;
}

/** What each kind of answer we send is validated against. */
export const UCP_RESPONSE_SCHEMAS = {
  profile: 'discovery/profile.json#/$defs/business_profile',
  checkout: 'shopping/checkout.json',
  /** A checkout answer under the AP2 mandates extension (with `ap2.merchant_authorization`). */
  ap2_checkout: 'shopping/ap2_mandate.json#/$defs/dev.ucp.shopping.checkout',
  order: 'shopping/order.json',
  search: 'shopping/catalog_search.json#/$defs/search_response',
  lookup: 'shopping/catalog_lookup.json#/$defs/lookup_response',
  product: 'shopping/catalog_lookup.json#/$defs/get_product_response',
  error: 'shopping/types/error_response.json',
} as const;

export type UcpResponseKind = keyof typeof UCP_RESPONSE_SCHEMAS;

/**
 * Asserts that `body` validates against the schema of its kind. Where SPECS_DIR is missing the
 * check is left out (test/specs-setup.ts says so once per run, and fails under REQUIRE_SPECS=1);
 * the calling test's own assertions still run.
 */
export function expectUcp(kind: UcpResponseKind, body: unknown): void {
  if (!specsAvailable) return;
  const validate = ucpValidator(UCP_RESPONSE_SCHEMAS[kind]);
  expect(validate(body), `${kind}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
}

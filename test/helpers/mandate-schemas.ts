import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { specPath } from './specs.js';

/**
 * Validators of the AP2 claim schemas (ap2/code/sdk/schemas): the mandates, receipts and the UCP
 * checkout type AP2 binds to. Each file is added under the URL its place in the tree gives it
 * (`ap2/x.json` → …/schemas/x.json, `ap2/types` and `ucp/types` → …/schemas/types/), which is
 * where the schemas' relative refs point: some declared `$id`s differ from their file names
 * (`receipt-status.json`, `payment_mandate_open.json`) and would leave those refs dangling.
 */
export const AP2_SCHEMA_BASE = 'https://ap2-protocol.org/schemas/';
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

let shared: Ajv2020 | undefined;

function ap2Ajv(): Ajv2020 {
  if (shared !== undefined) return shared;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const root = specPath('ap2/code/sdk/schemas');
  for (const [dir, at] of [
    ['ap2', ''],
    ['ap2/types', 'types/'],
    ['ucp/types', 'types/'],
  ] as const) {
    for (const name of readdirSync(path.join(root, dir))) {
      if (!name.endsWith('.json')) continue;
      const schema = JSON.parse(readFileSync(path.join(root, dir, name), 'utf8'));
      ajv.addSchema({ ...schema, $id: `${AP2_SCHEMA_BASE}${at}${name}` });
    }
  }
  shared = ajv;
  return ajv;
}

/** A validator by path under the base: `checkout_mandate.json`, `types/checkout.json`. */
export function mandateValidator(file: string): ValidateFunction {
  const id = `${AP2_SCHEMA_BASE}${file}`;
  const validate = ap2Ajv().getSchema(id);
  if (validate === undefined) throw new Error(`no AP2 schema ${id}`);
  return validate;
}

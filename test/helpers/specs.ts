import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The official ACP feed schema; CI checks out shared/ beside the repository. */
export const ACP_FEED_SCHEMA_PATH = path.resolve(
  repoRoot,
  '../shared/specs/acp/spec/unreleased/json-schema/schema.feed.json',
);

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Validators for `$defs/<name>` of the official ACP feed schema (draft 2020-12). */
export function acpFeedValidator(def: 'Product' | 'ProductsResponse'): ValidateFunction {
  const schema = JSON.parse(readFileSync(ACP_FEED_SCHEMA_PATH, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in the ACP feed schema`);
  return validate;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The official specifications some tests validate against. They are not copied into the project:
 * they live in SPECS_DIR (relative to the repository root), by default the shared/specs folder
 * checked out beside the clone.
 */
export const SPECS_DIR = path.resolve(repoRoot, process.env.SPECS_DIR ?? '../shared/specs');

/**
 * Whether SPECS_DIR is there. Tests that need it are declared with `skipIf(!specsAvailable)`;
 * test/specs-setup.ts says once per run why they were skipped, or fails the run under
 * REQUIRE_SPECS=1.
 */
export const specsAvailable = existsSync(SPECS_DIR);

/** The path of a file inside SPECS_DIR. */
export function specPath(relative: string): string {
  return path.join(SPECS_DIR, relative);
}

/** The official ACP feed schema. */
export const ACP_FEED_SCHEMA_PATH = specPath('acp/spec/unreleased/json-schema/schema.feed.json');

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

/** A validator for `$defs/<def>` of one official draft 2020-12 schema file. */
function defValidator(schemaPath: string, def: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in ${schemaPath}`);
  return validate;
}

/** Validators for `$defs/<name>` of the official ACP feed schema (draft 2020-12). */
export function acpFeedValidator(def: 'Product' | 'ProductsResponse'): ValidateFunction {
  return defValidator(ACP_FEED_SCHEMA_PATH, def);
}

/** The ACP 2026-04-17 JSON Schemas, by the name between `schema.` and `.json`. */
export type AcpSchemaFile = 'agentic_checkout' | 'delegate_payment' | 'cart';

/** A validator for `$defs/<def>` of an ACP 2026-04-17 JSON Schema (e.g. `Error`). */
export function acpValidator(file: AcpSchemaFile, def: string): ValidateFunction {
  return defValidator(specPath(`acp/spec/2026-04-17/json-schema/schema.${file}.json`), def);
}

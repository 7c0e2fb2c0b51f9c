import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { specPath } from './specs.js';

/**
 * Validators for the official A2A v0.3.0 JSON Schema (a2a/v0.3.0/a2a.json in SPECS_DIR,
 * draft-07), by definition name. Tests using them run under `skipIf(!specsAvailable)`.
 */
const SPEC = specPath('a2a/v0.3.0/a2a.json');

let ajv: Ajv | undefined;

export function v03Validator(definition: string): ValidateFunction {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: under NodeNext the default import is its module object, whose
    // `default` is the plugin (at run time the plugin carries itself as `.default` too).
    addFormatsModule.default(ajv);
    ajv.addSchema(JSON.parse(readFileSync(SPEC, 'utf8')), 'a2a-v0.3');
  }
  const validate = ajv.getSchema(`a2a-v0.3#/definitions/${definition}`);
  if (validate === undefined) throw new Error(`no definition ${definition}`);
  return validate;
}

/** Errors of a validation, readable in a failed expect. */
export function schemaErrors(definition: string, value: unknown): string[] {
  const validate = v03Validator(definition);
  return validate(value)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { specPath, specsAvailable } from './specs.js';

/**
 * Validators of the official ACP 2026-04-17 schemas (acp/spec/2026-04-17): `$defs/<name>` of a
 * JSON Schema bundle, and the order-event body of the webhook OpenAPI, whose `EventDataOrder`
 * points into the checkout OpenAPI; that `$ref` is taken to the same `Order` in the checkout
 * JSON Schema bundle.
 */
const DIR = 'acp/spec/2026-04-17';
type Bundle = 'feed' | 'agentic_checkout';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

function bundle(name: Bundle): { $id: string } {
  return JSON.parse(readFileSync(specPath(`${DIR}/json-schema/schema.${name}.json`), 'utf8'));
}

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

export function acp2026Validator(name: Bundle, def: string): ValidateFunction {
  const ajv = newAjv();
  const schema = bundle(name);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in schema.${name}.json`);
  return validate;
}

/** `components.schemas.WebhookEvent` of openapi.agentic_checkout_webhook.yaml. */
export function acpWebhookEventValidator(): ValidateFunction {
  const checkout = bundle('agentic_checkout');
  const openapi = parse(
    readFileSync(specPath(`${DIR}/openapi/openapi.agentic_checkout_webhook.yaml`), 'utf8'),
  ) as { components: { schemas: Record<string, unknown> } };
  const text = JSON.stringify(openapi.components.schemas)
    .replaceAll('./openapi.agentic_checkout.yaml#/components/schemas/', `${checkout.$id}#/$defs/`)
    .replaceAll('#/components/schemas/', 'webhook.json#/$defs/');
  const ajv = newAjv();
  ajv.addSchema(checkout);
  ajv.addSchema({ $id: 'webhook.json', $defs: JSON.parse(text) });
  const validate = ajv.getSchema('webhook.json#/$defs/WebhookEvent');
  if (validate === undefined) throw new Error('no WebhookEvent in the webhook OpenAPI');
  return validate;
}

/** The validator's errors, for an assertion message. */
export function schemaErrors(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors, null, 2);
}

const cached = new Map<string, ValidateFunction>();

/**
 * Asserts that `body` is a valid `$defs/<def>` of the bundle. Where SPECS_DIR is missing the
 * check is left out (test/specs-setup.ts says so once per run, and fails under REQUIRE_SPECS=1);
 * the calling test's own assertions still run.
 */
export function expectAcp2026(name: Bundle, def: string, body: unknown): void {
  if (!specsAvailable) return;
  const key = `${name}#${def}`;
  let validate = cached.get(key);
  if (validate === undefined) {
    validate = acp2026Validator(name, def);
    cached.set(key, validate);
  }
  expect(validate(body), `${def}: ${schemaErrors(validate)}`).toBe(true);
}

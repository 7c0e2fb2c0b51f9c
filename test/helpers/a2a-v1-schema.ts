import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The A2A v1.0 JSON Schema. Upstream generates it from a2a.proto at build time and commits none
 * (SOURCES.md of the specs folder), so the copy the official v1 conformance kit bundles is the one
 * there is: `<A2A_TCK_DIR>/v1/specification/a2a.json`, A2A_TCK_DIR by default the kits checked
 * out beside the clone. Tests using it run under `skipIf(!a2aV1SchemaAvailable)`.
 */
export const A2A_V1_SCHEMA_PATH = path.join(
  path.resolve(repoRoot, process.env.A2A_TCK_DIR ?? '../shared/conformance/a2a-tck'),
  'v1/specification/a2a.json',
);

export const a2aV1SchemaAvailable = existsSync(A2A_V1_SCHEMA_PATH);

let ajv: Ajv2020 | undefined;

/**
 * The validator of one definition ("Agent Card", "Task", …). The generated definitions refer to
 * each other as `lf.a2a.v1.<Name>.jsonschema.json` (and `google.protobuf.<Name>…` for Struct,
 * Timestamp, Value), the name being the definition's title without spaces; each definition is
 * registered under those ids, as the kit's own validator maps them.
 */
export function v1Validator(definition: string): ValidateFunction {
  if (ajv === undefined) {
    const created = new Ajv2020({ strict: false, allErrors: true });
    const { definitions } = JSON.parse(readFileSync(A2A_V1_SCHEMA_PATH, 'utf8')) as {
      definitions: Record<string, Record<string, unknown>>;
    };
    for (const [name, schema] of Object.entries(definitions)) {
      const compact = name.replaceAll(' ', '');
      const ids = [`lf.a2a.v1.${compact}.jsonschema.json`];
      if (['Struct', 'Timestamp', 'Value'].includes(name))
        ids.push(`google.protobuf.${compact}.jsonschema.json`);
      for (const id of ids) created.addSchema({ ...schema, $id: id });
    }
    ajv = created;
  }
  const validate = ajv.getSchema(`lf.a2a.v1.${definition.replaceAll(' ', '')}.jsonschema.json`);
  if (validate === undefined) throw new Error(`no definition ${definition} in the v1.0 schema`);
  return validate;
}

/** Errors of a validation against the v1.0 schema, readable in a failed expect. */
export function v1SchemaErrors(definition: string, value: unknown): string[] {
  const validate = v1Validator(definition);
  return validate(value)
    ? []
    : (validate.errors ?? []).map(
        (error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`,
      );
}

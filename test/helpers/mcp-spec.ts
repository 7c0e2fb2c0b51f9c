import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { specPath } from './specs.js';

/** The official MCP schema of the revision the server serves (draft 2020-12, no `$id`). */
export const MCP_SCHEMA_PATH = specPath('mcp/schema/2025-11-25/schema.json');
const SCHEMA_KEY = 'mcp-2025-11-25';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

let specAjv: Ajv2020 | undefined;

/** A validator for `$defs/<name>` of the official MCP schema (read on first use). */
export function mcpSpecValidator(def: string): ValidateFunction {
  if (specAjv === undefined) {
    specAjv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(specAjv);
    specAjv.addSchema(JSON.parse(readFileSync(MCP_SCHEMA_PATH, 'utf8')), SCHEMA_KEY);
  }
  const validate = specAjv.getSchema(`${SCHEMA_KEY}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in the MCP schema`);
  return validate;
}

/** A validator for a JSON Schema a server published (a tool's outputSchema). */
export function publishedSchemaValidator(schema: object): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** A JSON-RPC response as it crossed the wire, before the SDK client parsed it. */
export interface WireResponse {
  id?: string | number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * An official SDK client whose transport keeps every JSON-RPC response body it received, so a
 * test validates what the server sent, not the client's parsed (and defaulted) copy.
 */
export async function recordingClient(
  baseUrl: string,
  token: string,
): Promise<{ client: Client; responses: WireResponse[]; last(): WireResponse }> {
  const responses: WireResponse[] = [];
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.headers.get('content-type')?.includes('application/json')) {
        const body = (await response.clone().json()) as WireResponse | WireResponse[];
        responses.push(...(Array.isArray(body) ? body : [body]));
      }
      return response;
    },
  });
  const client = new Client({ name: 'acw-test', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    responses,
    last() {
      const found = responses.at(-1);
      if (found === undefined) throw new Error('no response recorded');
      return found;
    },
  };
}

import { readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { specPath, specsAvailable } from './specs.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ??
  formatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

const MCP_SCHEMA_ID = 'mcp-2025-11-25';

function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** `$defs/CallToolResult` of the official MCP schema (revision 2025-11-25), which has no $id. */
export function callToolResultValidator(): ValidateFunction {
  const ajv = newAjv();
  ajv.addSchema(
    JSON.parse(readFileSync(specPath('mcp/schema/2025-11-25/schema.json'), 'utf8')),
    MCP_SCHEMA_ID,
  );
  const validate = ajv.getSchema(`${MCP_SCHEMA_ID}#/$defs/CallToolResult`);
  if (validate === undefined) throw new Error('no $defs/CallToolResult in the MCP schema');
  return validate;
}

/**
 * A client that checks every tool result it gets: against the tool's published `outputSchema`
 * when it is a success (structuredContent) and, where the official schemas are checked out,
 * against `CallToolResult` always. The tests that need the official schema to be there say so
 * with `skipIf(!specsAvailable)`; this check rides along in every other test.
 */
export class CheckedTools {
  private readonly outputs = new Map<string, ValidateFunction>();
  private readonly callToolResult = specsAvailable ? callToolResultValidator() : undefined;

  private constructor(readonly client: Client) {}

  static async of(client: Client): Promise<CheckedTools> {
    const checked = new CheckedTools(client);
    const { tools } = await client.listTools();
    const ajv = newAjv();
    for (const tool of tools as Tool[])
      if (tool.outputSchema !== undefined)
        checked.outputs.set(tool.name, ajv.compile(tool.outputSchema));
    return checked;
  }

  /** Calls a tool and fails when its result breaks the MCP schema or the tool's own. */
  async call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const result = (await this.client.callTool({ name, arguments: args })) as CallToolResult;
    this.check(name, result);
    return result;
  }

  check(name: string, result: CallToolResult): void {
    const official = this.callToolResult;
    if (official !== undefined && !official(result))
      throw new Error(`${name}: not a CallToolResult: ${JSON.stringify(official.errors)}`);
    if (result.isError === true) {
      if (result.structuredContent !== undefined)
        throw new Error(`${name}: an error result carries structuredContent`);
      return;
    }
    const output = this.outputs.get(name);
    if (output === undefined) throw new Error(`${name} publishes no outputSchema`);
    if (!output(result.structuredContent))
      throw new Error(`${name}: breaks its outputSchema: ${JSON.stringify(output.errors)}`);
    const text = result.content.find((part) => part.type === 'text');
    if (
      text?.type !== 'text' ||
      JSON.stringify(JSON.parse(text.text)) !== JSON.stringify(result.structuredContent)
    )
      throw new Error(`${name}: the text content is not a copy of structuredContent`);
  }
}

/** The text of an error result (fails when the result is not an error). */
export function errorTextOf(result: CallToolResult): string {
  if (result.isError !== true) throw new Error(`not an error: ${JSON.stringify(result)}`);
  const text = result.content.find((part) => part.type === 'text');
  return text?.type === 'text' ? text.text : '';
}

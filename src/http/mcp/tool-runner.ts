import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import {
  argumentProblems,
  jsonSchemaOf,
  type ToolDefinition,
} from '../../adapters/mcp/tool-definition.js';

/** Who is calling: the bearer token's tenant and a stable id of the credential. */
export interface McpCaller {
  tenant: string;
  callerId: string;
  /** The Mcp-Session-Id the request came with (checked), if the client keeps a session */
  sessionId?: string;
}

/**
 * A tool's definition (the adapter's data) with the service call behind it. `run` gets
 * arguments already validated by the definition's input schema and returns what conforms to
 * its output schema.
 */
export interface ToolBinding<D extends ToolDefinition = ToolDefinition> {
  definition: D;
  run(args: z.output<D['input']>, caller: McpCaller): Promise<z.input<D['output']>>;
}

/** Binds a definition to its service call, keeping the argument and result types. */
export function bindTool<D extends ToolDefinition>(
  definition: D,
  run: ToolBinding<D>['run'],
): ToolBinding {
  return { definition, run } as unknown as ToolBinding;
}

/**
 * A refusal the caller can act on (unknown checkout, a step the checkout's state does not
 * allow): a normal tool error result with this text, never a protocol error. A blocked
 * decision is not one of these: it is a successful result that says blocked.
 */
export class ToolRefusal extends Error {}

/** The tools of one server, with their `tools/list` entries computed once. */
export class ToolSet {
  private readonly byName = new Map<string, ToolBinding>();
  readonly listed: Tool[];

  constructor(bindings: readonly ToolBinding[]) {
    for (const binding of bindings) this.byName.set(binding.definition.name, binding);
    this.listed = bindings.map(({ definition }) => ({
      name: definition.name,
      title: definition.title,
      description: definition.description,
      inputSchema: jsonSchemaOf(definition.input),
      outputSchema: jsonSchemaOf(definition.output),
      annotations: { title: definition.title, ...definition.annotations },
    }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Runs one call: bad arguments and refusals are `isError` results naming the problem (and
   * never `structuredContent`); success carries `structuredContent` and a text copy of it.
   */
  async call(name: string, args: unknown, caller: McpCaller): Promise<CallToolResult> {
    const binding = this.byName.get(name);
    if (binding === undefined) return toolError(`Unknown tool: ${name}`);
    const parsed = binding.definition.input.safeParse(args ?? {});
    if (!parsed.success) return toolError(argumentProblems(parsed.error));
    try {
      const structured = binding.definition.output.parse(
        await binding.run(parsed.data, caller),
      ) as Record<string, unknown>;
      return {
        content: [{ type: 'text', text: JSON.stringify(structured) }],
        structuredContent: structured,
      };
    } catch (error) {
      if (error instanceof ToolRefusal) return toolError(error.message);
      throw error;
    }
  }
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

import { z } from 'zod';

/**
 * MCP tool annotations (schema 2025-11-25 `ToolAnnotations`): hints an LLM client reads to
 * decide whether a call needs its user's confirmation. Hints, never guarantees.
 */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * One MCP tool as the product states it: its name, words and schemas are what an LLM reads,
 * so they live here, in the adapter, as data. `input` validates `tools/call` arguments (the
 * only place they are checked); `output` is the `outputSchema` every successful result's
 * `structuredContent` conforms to. Neither schema decides anything: the services do.
 */
export interface ToolDefinition<
  Input extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> {
  name: string;
  title: string;
  description: string;
  input: Input;
  output: Output;
  annotations: ToolAnnotations;
}

/** The JSON Schema of a tool's zod schema, as `tools/list` publishes it (draft 2020-12). */
export function jsonSchemaOf(schema: z.ZodType): { type: 'object'; [key: string]: unknown } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  if (json.type !== 'object') throw new Error('an MCP tool schema must describe an object');
  return json as { type: 'object'; [key: string]: unknown };
}

/** The text of a refusal for bad arguments: one line per problem, each named by its path. */
export function argumentProblems(error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(arguments)' : issue.path.join('.');
    return `- ${path}: ${issue.message}`;
  });
  return `Invalid arguments:\n${lines.join('\n')}`;
}

import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * The MCP protocol errors this server answers with, by name. JSON-RPC 2.0's numbers, and
 * -32002 for an unknown resource (MCP 2025-11-25, server/resources, "Error Handling"; the SDK
 * has no constant for it). A tool's own failures are never protocol errors: they are `isError`
 * results (tool-runner.ts), and a blocked decision is a successful result.
 */
export const MCP_ERRORS = {
  INVALID_PARAMS: -32602,
  RESOURCE_NOT_FOUND: -32002,
} as const;

export function resourceNotFound(uri: string, why: string): McpError {
  return new McpError(MCP_ERRORS.RESOURCE_NOT_FOUND, `Resource not found: ${why}`, { uri });
}

export function invalidParams(message: string): McpError {
  return new McpError(MCP_ERRORS.INVALID_PARAMS, message);
}

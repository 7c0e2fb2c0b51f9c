/**
 * The MCP protocol errors this server answers with, by name. JSON-RPC 2.0's numbers, and
 * -32002 for an unknown resource (MCP 2025-11-25, server/resources, "Error Handling"; the SDK
 * has no constant for it). A tool's own failures are never protocol errors: they are `isError`
 * results (tool-runner.ts), and a blocked decision is a successful result.
 */
export const MCP_ERRORS = {
  INVALID_REQUEST: -32600,
  INVALID_PARAMS: -32602,
  RESOURCE_NOT_FOUND: -32002,
} as const;

/**
 * A JSON-RPC error the SDK's protocol layer sends as it is: its `code`, `message` and `data`.
 * Not the SDK's McpError, whose message carries a "MCP error <code>:" prefix onto the wire,
 * where the client's McpError adds it a second time.
 */
export class McpProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpProtocolError';
  }
}

export function resourceNotFound(uri: string, why: string): McpProtocolError {
  return new McpProtocolError(MCP_ERRORS.RESOURCE_NOT_FOUND, `Resource not found: ${why}`, { uri });
}

export function invalidParams(message: string): McpProtocolError {
  return new McpProtocolError(MCP_ERRORS.INVALID_PARAMS, message);
}

export function invalidRequest(message: string): McpProtocolError {
  return new McpProtocolError(MCP_ERRORS.INVALID_REQUEST, message);
}

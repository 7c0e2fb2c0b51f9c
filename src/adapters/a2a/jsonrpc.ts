import { z } from 'zod';
import { A2aProtocolError } from './errors.js';
import type { A2aOperation } from './operation.js';
import { V1_METHODS, V1_UNOFFERED } from './wire-v1.js';
import { V03_METHODS, V03_UNOFFERED } from './wire-v03.js';

export type JsonRpcId = string | number | null;

/** JSON-RPC 2.0 request object (§4); a batch is an array of them (§6). */
const JsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string().max(200), z.number().int(), z.null()]).optional(),
  method: z.string().min(1).max(200),
  params: z.unknown().optional(),
});

export interface JsonRpcCall {
  id: JsonRpcId;
  method: string;
  params: unknown;
  /** No `id` member at all (§4.1): the call is run and never answered. `"id": null` is answered. */
  notification: boolean;
}

/** The id to echo in an error: the request's own when it is a valid id, else null (§5). */
export function idOf(body: unknown): JsonRpcId {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  if (typeof id === 'string' && id.length <= 200) return id;
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  return null;
}

export function parseEnvelope(body: unknown): JsonRpcCall {
  const parsed = JsonRpcRequestSchema.safeParse(body);
  if (!parsed.success || typeof body !== 'object' || Array.isArray(body))
    throw new A2aProtocolError('INVALID_REQUEST');
  return {
    id: parsed.data.id ?? null,
    method: parsed.data.method,
    params: parsed.data.params,
    notification: parsed.data.id === undefined,
  };
}

/** Methods answered as server-sent events: one per HTTP request, never inside a batch. */
const STREAMING_METHODS = new Set([
  'SendStreamingMessage',
  'SubscribeToTask',
  'message/stream',
  'tasks/resubscribe',
]);

export function isStreamingMethod(method: string): boolean {
  return STREAMING_METHODS.has(method);
}

export const A2A_VERSIONS = ['1.0', '0.3'] as const;
export type A2aVersion = (typeof A2A_VERSIONS)[number];

/** The first value of a header or query parameter that may repeat. */
function firstOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/**
 * The `A2A-Version` query parameter (any case), for clients that cannot set the header (the
 * A2A spec names both carriers for service parameters).
 */
export function versionParamOf(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  for (const [name, value] of Object.entries(query))
    if (name.toLowerCase() === 'a2a-version') return firstOf(value);
  return undefined;
}

/**
 * The `A2A-Version` header, else the `A2A-Version` query parameter, picks the wire format.
 * Absent means 0.3 (the A2A spec: clients that predate the header speak 0.3); patch levels are
 * accepted. Anything else is -32009.
 */
export function versionOf(header: string | string[] | undefined, queryParam?: string): A2aVersion {
  const value = (firstOf(header) ?? queryParam)?.trim() ?? '';
  if (value === '' || /^0\.3(\.\d+)?$/.test(value)) return '0.3';
  if (/^1(\.0(\.\d+)?)?$/.test(value)) return '1.0';
  throw new A2aProtocolError(
    'VERSION_NOT_SUPPORTED',
    `A2A version ${JSON.stringify(value.slice(0, 20))} is not supported; supported: ${A2A_VERSIONS.join(', ')}`,
    { supportedVersions: [...A2A_VERSIONS] },
  );
}

type MethodTable = Record<string, (params: unknown) => A2aOperation>;
type UnofferedTable = Record<
  string,
  'UNSUPPORTED_OPERATION' | 'PUSH_NOTIFICATION_NOT_SUPPORTED' | 'EXTENDED_CARD_NOT_CONFIGURED'
>;

const TABLES: Record<A2aVersion, { methods: MethodTable; unoffered: UnofferedTable }> = {
  '1.0': { methods: V1_METHODS, unoffered: V1_UNOFFERED },
  '0.3': { methods: V03_METHODS, unoffered: V03_UNOFFERED },
};

/** The operation a call asks for in its version; params problems surface as zod errors (-32602). */
export function operationOf(version: A2aVersion, call: JsonRpcCall): A2aOperation {
  const table = TABLES[version];
  const parse = Object.hasOwn(table.methods, call.method) ? table.methods[call.method] : undefined;
  if (parse === undefined) {
    const refusal = Object.hasOwn(table.unoffered, call.method)
      ? table.unoffered[call.method]
      : undefined;
    if (refusal !== undefined) throw new A2aProtocolError(refusal, `${call.method} is not offered`);
    throw new A2aProtocolError(
      'METHOD_NOT_FOUND',
      `Method ${JSON.stringify(call.method.slice(0, 60))} not found in A2A ${version}`,
    );
  }
  if (typeof call.params !== 'object' || call.params === null || Array.isArray(call.params))
    throw new A2aProtocolError('INVALID_PARAMS', 'params must be an object', {
      problems: [{ path: 'params', message: 'expected an object' }],
    });
  return parse(call.params);
}

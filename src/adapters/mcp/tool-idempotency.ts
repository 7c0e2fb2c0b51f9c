import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../domain/index.js';

/**
 * The idempotency key of a state-changing tool call, handed to the checkout service's
 * Idempotency-Key rule (services/checkout/idempotency.ts):
 *
 * - with an `idempotencyKey` argument: `mcp-key-` + sha256 of the canonical JSON of
 *   {caller, key}. Scoped to the credential (two agents of one tenant never share a key) and
 *   not to the tool: the same key with other arguments, or on another tool, is a conflict.
 * - without one: `mcp-call-` + sha256 of the canonical JSON (keys sorted) of
 *   {caller, tool, arguments}, the arguments as validated (defaults filled in, so an omitted
 *   default and the default sent spell one call), without `idempotencyKey`. An identical call is
 *   a retry: answered from the first one while the key is kept (IDEMPOTENCY_TTL_SECONDS), unless
 *   the first was refused: refusals are not kept under derived keys, so the call decides again.
 *
 * `caller` is the credential's stable id (http/a2a/caller.ts), never the token itself.
 */
export interface ToolCallKey {
  key: string;
  /** Derived from the call: a refusal is not kept as the key's answer. */
  derived: boolean;
}

function sha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function toolCallKey(
  callerId: string,
  tool: string,
  args: { idempotencyKey?: string | undefined } & Record<string, unknown>,
): ToolCallKey {
  const { idempotencyKey, ...rest } = args;
  if (idempotencyKey !== undefined)
    return { key: `mcp-key-${sha256({ caller: callerId, key: idempotencyKey })}`, derived: false };
  return {
    key: `mcp-call-${sha256({ caller: callerId, tool, arguments: rest })}`,
    derived: true,
  };
}

/** The optional argument every state-changing tool takes. */
export const IdempotencyKeyArgument = z
  .string()
  .min(1)
  .max(255)
  .describe(
    'Any string unique to this request, e.g. a UUID. Sending the same key again answers the ' +
      'first call without acting twice. Without it, an identical call (same tool, same ' +
      'arguments) is taken as a retry of the earlier one; pass a new key, or expectedVersion, ' +
      'to repeat a step on purpose.',
  );

import { describe, expect, it } from 'vitest';
import { type ACTION_VOCABULARY, requestKindOf } from '../../src/adapters/a2a/action-vocabulary.js';
import {
  A2A_ERRORS,
  A2aProtocolError,
  a2aErrorForAppCode,
  toJsonRpcError,
} from '../../src/adapters/a2a/errors.js';
import { versionOf } from '../../src/adapters/a2a/jsonrpc.js';
import { artifactOf, projectDecision } from '../../src/adapters/a2a/project.js';
import { readMessage } from '../../src/adapters/a2a/read-message.js';
import { regionOfCountry } from '../../src/adapters/a2a/regions.js';
import { isRequestObject } from '../../src/adapters/a2a/request-data.js';
import { idsOfFollowUp, idsOfMessage, toIntent } from '../../src/adapters/a2a/to-intent.js';
import type { Allowance } from '../../src/adapters/acp/allowance.js';
import { mandateOfAllowance } from '../../src/adapters/acp/to-mandate.js';
import {
  COMMERCE_ACTIONS,
  decisionFor,
  evaluateProduct,
  PolicyIndex,
  toMs,
} from '../../src/domain/index.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../../src/errors/codes.js';
import { travelBackpack } from '../helpers/a2a.js';

const caller = { tenant: 'acme', callerId: 'bearer-0123456789abcdef' };

function message(data: Record<string, unknown>) {
  return { messageId: 'm-1', role: 'user' as const, parts: [{ type: 'data' as const, data }] };
}

/** The request a message carries; fails the test when it reads as conversation. */
function requestOf(inbound: Parameters<typeof readMessage>[0]) {
  const reading = readMessage(inbound);
  if (reading.kind !== 'request') throw new Error('expected a request');
  return reading.request;
}

describe('A2A error table', () => {
  it('uses the A2A and JSON-RPC numbers @a2a-js/sdk maps back to typed errors', () => {
    expect(A2A_ERRORS.TASK_NOT_FOUND.code).toBe(-32001);
    expect(A2A_ERRORS.TASK_NOT_CANCELABLE.code).toBe(-32002);
    expect(A2A_ERRORS.INVALID_PARAMS.code).toBe(-32602);
    expect(A2A_ERRORS.VERSION_NOT_SUPPORTED.code).toBe(-32009);
    expect(A2A_ERRORS.PARSE_ERROR.code).toBe(-32700);
  });

  it('answers every protocol error with HTTP 200 and only transport failures otherwise', () => {
    for (const [name, row] of Object.entries(A2A_ERRORS)) {
      const expected =
        { UNAUTHENTICATED: 401, PAYLOAD_TOO_LARGE: 413, UNAVAILABLE: 503, INTERNAL_ERROR: 500 }[
          name
        ] ?? 200;
      expect(row.httpStatus, name).toBe(expected);
      expect(toJsonRpcError(new A2aProtocolError(name as keyof typeof A2A_ERRORS)).error.code).toBe(
        row.code,
      );
    }
  });

  it('maps every service error code to an A2A error', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const kind = a2aErrorForAppCode(code);
      expect(A2A_ERRORS[kind], code).toBeDefined();
      const mapped = toJsonRpcError(new AppError(code, ['x']));
      expect(mapped.error.code).toBe(A2A_ERRORS[kind].code);
    }
  });

  it('hides the details of an unexpected fault', () => {
    const mapped = toJsonRpcError(new Error('secret connection string redis://u:p@h'));
    expect(mapped).toEqual({ httpStatus: 500, error: { code: -32603, message: 'Internal error' } });
  });
});

describe('versionOf', () => {
  it.each([
    [undefined, '0.3'],
    ['', '0.3'],
    ['0.3', '0.3'],
    ['0.3.0', '0.3'],
    ['1.0', '1.0'],
    ['1.0.1', '1.0'],
  ])('reads %j as %s', (header, version) => {
    expect(versionOf(header)).toBe(version);
  });

  it.each(['2.0', '0.2', 'latest', '1.1'])('refuses %s with VERSION_NOT_SUPPORTED', (header) => {
    expect(() => versionOf(header)).toThrow(
      expect.objectContaining({ kind: 'VERSION_NOT_SUPPORTED' }),
    );
  });
});

describe('action vocabulary', () => {
  it('maps every canonical action to itself', () => {
    for (const action of COMMERCE_ACTIONS)
      expect(requestKindOf(action as keyof typeof ACTION_VOCABULARY)).toMatchObject({ action });
  });

  it('maps protocol words to canonical intents', () => {
    expect(requestKindOf('get_return_terms')).toEqual({
      kind: 'action',
      action: 'quote_policy',
      policyDomain: 'returns',
    });
    expect(requestKindOf('prepare_purchase')).toEqual({
      kind: 'action',
      action: 'prepare_checkout',
    });
    expect(requestKindOf('get_profile')).toEqual({ kind: 'profile' });
  });
});

describe('regionOfCountry', () => {
  it.each([
    ['DE', 'EU'],
    ['fr', 'EU'],
    ['US', 'US'],
    ['GB', 'UK'],
    ['CH', 'CH'],
  ])('%s sells as %s', (country, region) => {
    expect(regionOfCountry(country)).toBe(region);
  });
});

describe('toIntent', () => {
  it('normalises the context and keeps actor and authority references', () => {
    const request = requestOf(
      message({
        action: 'get_return_terms',
        productId: 'BAG-TRAVEL-42',
        country: 'DE',
        buyerType: 'consumer',
        buyerId: 'buyer-7',
        authorityRef: 'session-9',
      }),
    );
    const ids = idsOfMessage(caller, 'm-1');
    const { intent, answer } = toIntent({ request, caller, ids, contextId: 'ctx', nowMs: 0 });
    expect(answer).toBe('decision');
    expect(intent).toEqual({
      action: 'quote_policy',
      policyDomain: 'returns',
      productId: 'BAG-TRAVEL-42',
      context: { region: 'EU', buyerType: 'consumer', channel: 'agent' },
      actor: {
        actorId: caller.callerId,
        actorType: 'agent',
        buyerType: 'consumer',
        buyerId: 'buyer-7',
        authorityRef: 'session-9',
      },
      idempotencyKey: ids.idempotencyKey,
      correlationId: 'ctx',
      requestedAt: '1970-01-01T00:00:00.000Z',
    });
  });

  it('turns an ACP allowance into a mandate with its constraints, not a permission', () => {
    const request = requestOf(
      message({
        action: 'delegate_payment',
        checkoutId: 'chk-1',
        allowance: {
          reason: 'one_time',
          max_amount: 12900,
          currency: 'eur',
          checkout_session_id: 'chk-1',
          merchant_id: 'acme',
          expires_at: '2026-06-28T10:00:00Z',
        },
      }),
    );
    const { intent } = toIntent({
      request,
      caller,
      ids: idsOfMessage(caller, 'm-2'),
      contextId: 'ctx',
      nowMs: 0,
    });
    expect(intent.mandate).toMatchObject({
      kind: 'acp_allowance',
      merchantId: 'acme',
      checkoutSessionId: 'chk-1',
      maxAmount: { amount: 12900, currency: 'EUR' },
      expiresAt: '2026-06-28T10:00:00Z',
    });
    // The one ACP mapping, the same the HTTP checkout routes use.
    expect(intent.mandate).toEqual(mandateOfAllowance(request.allowance as Allowance));
  });
});

describe('requestOf', () => {
  it('asks for the buyer context when add_to_cart opens a new cart, not when it names one', () => {
    const opening = () =>
      requestOf(message({ action: 'add_to_cart', productId: 'P', quantity: 1 }));
    expect(opening).toThrow(
      expect.objectContaining({
        data: {
          problems: [
            expect.objectContaining({ path: 'params.message.parts[0].data.country' }),
            expect.objectContaining({ path: 'params.message.parts[0].data.buyerType' }),
          ],
        },
      }),
    );
    expect(
      requestOf(message({ action: 'add_to_cart', cartId: 'c-1', productId: 'P', quantity: 1 })),
    ).toMatchObject({ action: 'add_to_cart', cartId: 'c-1', quantity: 1 });
  });
});

describe('idsOfFollowUp', () => {
  it('derives ids of the task and message, apart from a new message with the same id', () => {
    const a = idsOfFollowUp(caller, 'task-1', 'm-1');
    expect(idsOfFollowUp(caller, 'task-1', 'm-1')).toEqual(a);
    expect(idsOfFollowUp(caller, 'task-2', 'm-1').jobId).not.toBe(a.jobId);
    expect(a.jobId).not.toBe(idsOfMessage(caller, 'm-1').jobId);
    expect(a.jobId.startsWith('acme-')).toBe(true);
  });
});

describe('idsOfMessage', () => {
  it('derives the same ids from the same caller and message, and others otherwise', () => {
    const a = idsOfMessage(caller, 'm-1');
    expect(idsOfMessage(caller, 'm-1')).toEqual(a);
    expect(idsOfMessage(caller, 'm-2').taskId).not.toBe(a.taskId);
    expect(idsOfMessage({ ...caller, tenant: 'other' }, 'm-1').taskId).not.toBe(a.taskId);
    expect(idsOfMessage({ ...caller, callerId: 'bearer-x' }, 'm-1').taskId).not.toBe(a.taskId);
  });

  it('gives BullMQ a job id without colons that is not an integer, and a UUID-shaped task id', () => {
    const ids = idsOfMessage(caller, 'a:b:c');
    expect(ids.jobId).not.toContain(':');
    expect(Number.isInteger(Number(ids.jobId))).toBe(false);
    expect(ids.taskId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('projection', () => {
  const doc = travelBackpack();
  const product = doc.products[0];
  if (product === undefined) throw new Error('fixture has no product');
  const profile = evaluateProduct(
    product,
    new PolicyIndex(doc.policies),
    { region: 'EU', buyerType: 'consumer', channel: 'agent' },
    toMs(doc.now),
  );

  it('carries the decision’s meaning unchanged: result, codes, next actions, evidence', () => {
    const decision = decisionFor(profile, 'prepare_checkout');
    if (decision === undefined) throw new Error('no decision');
    const projected = projectDecision(decision);
    expect(projected.result).toBe(decision.result);
    expect(projected.allowed).toBe(decision.allowed);
    expect(projected.blockers.map((b) => b.code)).toEqual(decision.blockers.map((b) => b.code));
    expect(projected.blockers.every((b) => b.nextAction.length > 0)).toBe(true);
    expect(projected.evidenceIds).toHaveLength(decision.evidenceRefs.length);
    expect(projected.evaluatedAt).toBe(decision.evaluatedAt);
  });

  it('puts the whole profile in one artifact', () => {
    const artifact = artifactOf('t-1', { kind: 'profile', profile });
    expect(artifact.data.type).toBe('profile');
    expect((artifact.data.decisions as unknown[]).length).toBe(profile.decisions.length);
  });
});

describe('isRequestObject', () => {
  it.each([
    [{ action: 'discover' }, true],
    [{ productId: 'P', country: 'DE' }, true],
    [{ buyerType: 'consumer' }, true],
    [{ quantity: 1 }, true],
    [{ type: 'application/json', content: { test: 'data' } }, false],
    [{ key: 'value', number: 123 }, false],
    [['action'], false],
    ['action', false],
  ])('%j is a request: %s', (value, expected) => {
    expect(isRequestObject(value)).toBe(expected);
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpRoutesOf, delegatePaymentRouteSet } from '../../src/app/acp.js';
import type { AppContext } from '../../src/app-context.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { acpHeaders, PROBE_AUTH_TOKENS } from '../helpers/acp-probe.js';
import { delegateBody, TEST_PAN } from '../helpers/delegate-payment-fixtures.js';
import { arbitraryOf, type JsonSchema } from '../helpers/json-schema-arbitrary.js';
import { acpValidator, specPath, specsAvailable } from '../helpers/specs.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * delegate_payment under malformed input: whatever the body, never a 5xx, and every answer
 * either a valid DelegatePaymentResponse (201) or a valid delegate_payment Error — checked
 * against the 2026-04-17 JSON Schema where the specs are present, for its shape otherwise.
 */

const PATH = '/agentic_commerce/delegate_payment';
const errorSchema = specsAvailable ? acpValidator('delegate_payment', 'Error') : undefined;
const responseSchema = specsAvailable
  ? acpValidator('delegate_payment', 'DelegatePaymentResponse')
  : undefined;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path into a JSON value, the root's children first. */
function pathsOf(value: Json, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, inner]) => [[...at, key], ...pathsOf(inner, [...at, key])]);
}

interface Mutation {
  path: Path;
  op: 'delete' | 'replace' | 'add';
  value: Json;
  extraKey: string;
}

function mutate(body: Json, { path, op, value, extraKey }: Mutation): Json {
  const copy = structuredClone(body);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) {
    // An earlier change removed or replaced this branch: nothing left to change here.
    if (parent === null || typeof parent !== 'object') return copy;
    parent = (parent as Record<string, Json>)[key] as Json;
  }
  const last = path[path.length - 1] as string | number;
  if (parent === null || typeof parent !== 'object') return copy;
  const target = parent as Record<string | number, Json>;
  if (op === 'delete') delete target[last];
  else if (op === 'replace') target[last] = value;
  else if (
    target[last] !== null &&
    typeof target[last] === 'object' &&
    !Array.isArray(target[last])
  )
    (target[last] as Record<string, Json>)[extraKey] = value;
  else target[last] = value;
  return copy;
}

const BASE = delegateBody() as unknown as Json;
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...pathsOf(BASE)),
  op: fc.constantFrom('delete', 'replace', 'add'),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  extraKey: fc.string({ minLength: 1, maxLength: 12 }),
});
const mutatedBody = fc
  .array(mutation, { minLength: 1, maxLength: 3 })
  .map((mutations) => JSON.stringify(mutations.reduce(mutate, BASE)));

/** Numbers, strings and shapes an attacker or a confused client would try in card fields. */
const cardFieldValues = fc.oneof(
  fc.stringMatching(/^[0-9]{0,25}$/),
  fc.constantFrom('', ' ', '00', '13', '0', '-1', '１２', '٣', '4242 4242 4242 4242', '\u0000'),
  fc.string({ maxLength: 30 }),
);
const cardFieldBody = fc
  .record({
    field: fc.constantFrom('number', 'exp_month', 'exp_year', 'cvc', 'iin', 'display_last4'),
    value: cardFieldValues,
  })
  .map(({ field, value }) =>
    JSON.stringify(
      mutate(BASE, { path: ['payment_method', field], op: 'replace', value, extraKey: '' }),
    ),
  );

const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  mutatedBody.map((text) => text.slice(0, Math.max(0, text.length - 7))),
);

describe('delegate_payment under malformed bodies', () => {
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    ctx = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS });
    app = await buildApp(ctx, [{ publicRoutes: acpRoutesOf([delegatePaymentRouteSet]) }]);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const send = (payload: string) =>
    app.inject({ method: 'POST', url: PATH, headers: acpHeaders(randomUUID()), payload });

  /** Never a 5xx; a 201 is a valid response, anything else a valid Error; never the card. */
  const expectSpecAnswer = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBeLessThan(500);
    expect(response.body).not.toContain(TEST_PAN);
    const body = response.json();
    const validate = response.statusCode === 201 ? responseSchema : errorSchema;
    if (validate !== undefined) {
      expect(validate(body), `${response.body} ${JSON.stringify(validate.errors)}`).toBe(true);
    } else if (response.statusCode !== 201) {
      expect(body).toMatchObject({ type: expect.any(String), code: expect.any(String) });
    }
    if (response.statusCode !== 201) expect(response.statusCode).toBeGreaterThanOrEqual(400);
  };

  it('answers valid bodies with one to three changes (deleted, replaced, added anywhere)', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBody, async (payload) => expectSpecAnswer(await send(payload))),
      { numRuns: 600 },
    );
  });

  it('answers odd values in each card field', async () => {
    await fc.assert(
      fc.asyncProperty(cardFieldBody, async (payload) => expectSpecAnswer(await send(payload))),
      { numRuns: 300 },
    );
  });

  it('answers bodies that are not a request at all (any JSON, any text, cut-off JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, async (payload) => expectSpecAnswer(await send(payload))),
      { numRuns: 400 },
    );
  });

  it.skipIf(!specsAvailable)(
    'answers bodies shaped by the spec’s own DelegatePaymentRequest schema',
    async () => {
      const bundle = JSON.parse(
        readFileSync(
          specPath('acp/spec/2026-04-17/json-schema/schema.delegate_payment.json'),
          'utf8',
        ),
      ) as { $defs: Record<string, JsonSchema> };
      const shaped = arbitraryOf(bundle.$defs.DelegatePaymentRequest as JsonSchema, {}, bundle);
      let created = 0;
      await fc.assert(
        fc.asyncProperty(shaped, async (body) => {
          const response = await send(JSON.stringify(body));
          if (response.statusCode === 201) created++;
          expectSpecAnswer(response);
        }),
        { numRuns: 400 },
      );
      // Random strings are rarely card numbers: these are refused, as they should be.
      expect(created).toBeLessThan(400);
    },
  );
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delegatePaymentRouteSet } from '../../src/app/acp.js';
import type { AppContext } from '../../src/app-context.js';
import type { App } from '../../src/http/types.js';
import { createLogger } from '../../src/logger.js';
import { acpHeaders, buildProbeApp, PROBE_AUTH_TOKENS, RouteProbe } from '../helpers/acp-probe.js';
import { delegateBody } from '../helpers/delegate-payment-fixtures.js';
import { createTestContext } from '../helpers/test-context.js';

/**
 * Card data never reaches a log: the app logs at `trace` into an array while delegate_payment
 * requests carrying a card run through every path (minted, refused for the card, refused for the
 * shape, a body that does not parse, a failure the handler did not expect), and a request body
 * logged on purpose, the way a debugging line would, is censored.
 */

const PATH = '/agentic_commerce/delegate_payment';
// Distinctive values, so a hit cannot be a coincidence.
const PAN = '5555555555554444';
const CVC = '8231';
const CRYPTOGRAM = 'AgAAAAAAm4rkedCryptogram==';
const HOLDER = 'Grace Q. Cardholder';

function cardBody() {
  const body = delegateBody();
  return {
    ...body,
    payment_method: {
      ...body.payment_method,
      number: PAN,
      cvc: CVC,
      iin: '555555',
      display_brand: 'mastercard',
      display_last4: '4444',
      name: HOLDER,
      cryptogram: CRYPTOGRAM,
    },
  };
}

describe('delegate_payment and the logs', () => {
  const lines: string[] = [];
  const probe = new RouteProbe();
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    const base = createTestContext({ AUTH_TOKENS: PROBE_AUTH_TOKENS });
    const logger = createLogger(
      { level: 'trace' },
      { write: (line: string) => void lines.push(line) },
    );
    ctx = { ...base, logger };
    app = await buildProbeApp(ctx, probe, [delegatePaymentRouteSet]);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  const send = (payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: PATH,
      headers: acpHeaders(randomUUID(), 'first', headers),
      payload,
    });

  const expectClean = (output: string) => {
    for (const secret of [PAN, PAN.slice(0, 12), CVC, CRYPTOGRAM, HOLDER]) {
      expect(output).not.toContain(secret);
    }
  };

  it('writes request logs for every path, none with the card', async () => {
    const body = cardBody();
    const answers = [
      await send(JSON.stringify(body)),
      await send(
        JSON.stringify({ ...body, payment_method: { ...body.payment_method, exp_month: '13' } }),
      ),
      await send(
        JSON.stringify({ ...body, payment_method: { ...body.payment_method, track2: PAN } }),
      ),
      await send(JSON.stringify(body).slice(0, -20)),
      await send(JSON.stringify(body), { 'x-probe-fault': '500' }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 422, 400, 400, 500]);
    const output = lines.join('');
    // The requests were logged (incoming, completed, the 500's error): the check saw them.
    expect(output).toContain(PATH);
    expect(output).toContain('unhandled error on an ACP endpoint');
    expectClean(output);
    for (const answer of answers) expectClean(answer.body);
  });

  it('censors a request body logged as a whole, or its card', () => {
    const before = lines.length;
    const body = cardBody();
    ctx.logger.info({ body }, 'the body');
    ctx.logger.info({ request: { body } }, 'the request');
    ctx.logger.info(body, 'the body merged');
    ctx.logger.info({ card: body.payment_method }, 'the card');
    const written = lines.slice(before).join('');
    expect(lines.length - before).toBe(4);
    expect(written).toContain('[redacted]');
    // What an operator needs stays: the allowance is censored, the billing city is not.
    expect(written).toContain('London');
    expectClean(written);
  });
});

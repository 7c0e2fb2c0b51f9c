/**
 * bench/ap2: AP2 mandate verifications per second (verifyAp2Mandates on a human-not-present
 * pair: two delegation chains, each an issuer-signed open mandate and the agent's closing
 * KB-SD-JWT) against their floor, the same four ES256 signature checks done bare with jose's
 * compactVerify on the same tokens with the same keys, in the same run. What the ratio leaves
 * to us is everything else the merchant must do: parsing, disclosure digests and resolution,
 * sd_hash bindings, importing each hop's cnf key, times, claims and constraints. The two take
 * turns round by round; each figure is the median of its rounds, the ratio the median of the
 * rounds' ratios.
 *
 *   npm run bench:ap2 [-- --verifications 400 --rounds 5]
 */
import { parseArgs } from 'node:util';
import { compactVerify, importJWK } from 'jose';
import { tokensOf } from '../src/adapters/ap2/chain.js';
import { checkoutClaimsOf } from '../src/adapters/ap2/checkout-claims.js';
import { issuerTrustOf } from '../src/adapters/ap2/trust.js';
import { verifyAp2Mandates } from '../src/adapters/ap2/verify-mandates.js';
import { MerchantSigner } from '../src/services/signing/merchant-signer.js';
import { generateSigningJwks, signingKeysOf } from '../src/services/signing/signing-keys.js';
import { preparedBackpackCheckout } from '../test/helpers/checkout-fixtures.js';
import { delegatedMandates, testKey } from '../test/helpers/mandate-issuer.js';
import { median } from './support/measure.js';

const { values } = parseArgs({
  options: { verifications: { type: 'string' }, rounds: { type: 'string' } },
});
const VERIFICATIONS = Number(values.verifications ?? 400);
const ROUNDS = Number(values.rounds ?? 5);

const NOW = Date.now();
const MERCHANT = { id: 'bench', name: 'Bench Outdoor' };
const checkout = preparedBackpackCheckout();

async function main() {
  const [issuer, agent] = await Promise.all([testKey('provider'), testKey('agent')]);
  const signer = new MerchantSigner(
    await signingKeysOf(await generateSigningJwks()),
    'https://bench.example',
    () => NOW,
  );
  const checkoutJwt = await signer.sign(
    { ...checkoutClaimsOf(checkout, MERCHANT, new Date(NOW + 900_000).toISOString()) },
    'JWT',
  );
  const nowS = Math.floor(NOW / 1000);
  const presentation = await delegatedMandates({
    issuer,
    agent,
    checkoutJwt,
    merchant: MERCHANT,
    nonce: 'bench-nonce',
    nowS,
    instrument: { id: 'card-1', type: 'card' },
  });
  const context = {
    trust: issuerTrustOf({ keys: [issuer.publicJwk] }),
    audience: MERCHANT.id,
    nonce: 'bench-nonce',
    nowMs: NOW,
    skewSeconds: 60,
    merchant: MERCHANT,
    checkout: { kind: 'issued' as const, checkoutJwt },
    total: { amount: 25800, currency: 'EUR' },
  };
  const check = await verifyAp2Mandates(presentation, context);
  if (!check.ok) throw new Error(`the bench presentation does not verify: ${check.detail}`);

  // The floor: the same four signature checks, on the same JWSs, with the same keys.
  const jwsOf = (chain: string) => tokensOf(chain).map((token) => token.split('~')[0] as string);
  const [openCheckout, closedCheckout] = jwsOf(presentation.checkoutMandate);
  const [openPayment, closedPayment] = jwsOf(presentation.paymentMandate);
  const issuerPublic = await importJWK(issuer.publicJwk, 'ES256');
  const agentPublic = await importJWK(agent.publicJwk, 'ES256');
  const keyed = [
    [openCheckout, issuerPublic],
    [closedCheckout, agentPublic],
    [openPayment, issuerPublic],
    [closedPayment, agentPublic],
  ] as const;
  const floor = async () => {
    for (const [jws, key] of keyed)
      await compactVerify(jws as string, key, { algorithms: ['ES256'] });
  };
  const ours = async () => {
    const result = await verifyAp2Mandates(presentation, context);
    if (!result.ok) throw new Error(result.detail);
  };

  const perSecond = async (run: () => Promise<void>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < VERIFICATIONS; i++) await run();
    return VERIFICATIONS / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  await perSecond(floor);
  await perSecond(ours);
  const floors: number[] = [];
  const verifies: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const a = await perSecond(floor);
    const b = await perSecond(ours);
    floors.push(a);
    verifies.push(b);
    ratios.push(b / a);
    console.log(
      `round ${i + 1}: jose floor ${a.toFixed(0)}/s, verifyAp2Mandates ${b.toFixed(0)}/s`,
    );
  }
  console.log(`bench:ap2 — ${VERIFICATIONS} verifications per round, ${ROUNDS} rounds`);
  console.log(`  bare jose, 4 ES256 checks (floor): ${median(floors).toFixed(0)} presentations/s`);
  console.log(`  verifyAp2Mandates: ${median(verifies).toFixed(0)} presentations/s`);
  console.log(`  ratio verify / floor: ${median(ratios).toFixed(2)}`);
}

await main();

import { DEFAULT_CONTEXTS } from '../src/domain/context.js';
import { evaluateProduct } from '../src/domain/eligibility/evaluate.js';
import { PolicyIndex } from '../src/domain/policy.js';
import { toMs } from '../src/domain/time.js';
import { generateCatalog } from './support/catalog.js';

/**
 * How fast the eligibility evaluator decides, against a floor measured in the same run: a loop
 * over the same products and contexts that reads the fields a decision depends on and builds a
 * trivial object per action, resolving nothing. The ratio says how much of the evaluator's time
 * is the deciding itself, independent of the machine.
 *
 *     npm run bench:decide            (PRODUCTS=… ROUNDS=… to change the size)
 */

const PRODUCTS = Number(process.env.PRODUCTS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SEED = 20260628;
/** Decisions in one profile: six actions plus quote_policy for each of the four domains. */
const DECISIONS_PER_PROFILE = 10;
const TARGET_PER_SECOND = 500_000;

const catalog = generateCatalog({ products: PRODUCTS, seed: SEED });
const { products, policies, nowMs } = catalog;
const contexts = DEFAULT_CONTEXTS;

/** Keeps results reachable so the JIT cannot drop the work. */
let sink = 0;

function evaluatorRound(): number {
  const index = new PolicyIndex(policies);
  let decisions = 0;
  for (const product of products) {
    for (const context of contexts) {
      const profile = evaluateProduct(product, index, context, nowMs);
      decisions += profile.decisions.length;
      sink += profile.decisions[decisions % DECISIONS_PER_PROFILE]?.blockers.length ?? 0;
    }
  }
  return decisions;
}

function floorRound(): number {
  let decisions = 0;
  for (const product of products) {
    for (const context of contexts) {
      const status = product.status;
      const price = product.price;
      const priceExpires =
        price === undefined ? 0 : toMs(price.observedAt) + price.ttlSeconds * 1000;
      const amount = price?.amount ?? 0;
      const inventory = product.inventory;
      const stock = inventory?.status;
      const stockExpires =
        inventory === undefined ? 0 : toMs(inventory.observedAt) + inventory.ttlSeconds * 1000;
      const category = product.category;
      const claims = product.generatedClaims?.status;
      const built: object[] = [];
      for (let i = 0; i < DECISIONS_PER_PROFILE; i++) {
        built.push({
          action: i,
          ok: status === 'active' && priceExpires > nowMs && stockExpires > nowMs,
          amount,
          stock,
          category,
          claims,
          region: context.region,
        });
      }
      decisions += built.length;
      sink += built.length & (amount + category.length);
    }
  }
  return decisions;
}

interface Timing {
  decisions: number;
  bestSeconds: number;
  roundsSeconds: number[];
}

function time(round: () => number): Timing {
  round(); // warm-up: let the JIT settle and the memo tables fill once
  const roundsSeconds: number[] = [];
  let decisions = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.hrtime.bigint();
    decisions = round();
    roundsSeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return { decisions, bestSeconds: Math.min(...roundsSeconds), roundsSeconds };
}

/** How the generated catalog decides, so "realistic" can be checked rather than assumed. */
function resultMix(): string {
  const index = new PolicyIndex(policies);
  const counts = new Map<string, Map<string, number>>();
  for (const product of products) {
    for (const context of contexts) {
      for (const decision of evaluateProduct(product, index, context, nowMs).decisions) {
        const key = decision.policyDomain
          ? `quote_policy/${decision.policyDomain}`
          : decision.action;
        const byResult = counts.get(key) ?? new Map<string, number>();
        byResult.set(decision.result, (byResult.get(decision.result) ?? 0) + 1);
        counts.set(key, byResult);
      }
    }
  }
  const total = products.length * contexts.length;
  return [...counts]
    .map(([key, byResult]) => {
      const parts = [...byResult].map(([r, n]) => `${r} ${((n / total) * 100).toFixed(0)}%`);
      return `  ${key.padEnd(26)} ${parts.join(', ')}`;
    })
    .join('\n');
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (s: number) => `${s.toFixed(3)} s`;

const evaluator = time(evaluatorRound);
const floor = time(floorRound);
const evaluatorRate = evaluator.decisions / evaluator.bestSeconds;
const floorRate = floor.decisions / floor.bestSeconds;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

console.log(
  `decide: ${fmt(products.length)} products × ${contexts.length} contexts = ` +
    `${fmt(products.length * contexts.length)} profiles, ${fmt(evaluator.decisions)} action decisions per round, ` +
    `${policies.length} policy facts, best of ${ROUNDS} rounds after a warm-up`,
);
console.log(
  `evaluateProduct: ${fmt(evaluatorRate)} decisions/s (best ${secs(evaluator.bestSeconds)}; ` +
    `rounds ${evaluator.roundsSeconds.map(secs).join(', ')})`,
);
console.log(
  `floor (read the same fields, build a trivial object per action): ${fmt(floorRate)} decisions/s ` +
    `(best ${secs(floor.bestSeconds)})`,
);
console.log(
  `ratio evaluator/floor: ${(evaluatorRate / floorRate).toFixed(3)} ` +
    `(the floor is ${(floorRate / evaluatorRate).toFixed(1)}× faster)`,
);
console.log(`peak RSS: ${peakRssMb.toFixed(0)} MB`);
console.log(
  `target ${fmt(TARGET_PER_SECOND)} decisions/s on one core: ` +
    `${evaluatorRate >= TARGET_PER_SECOND ? 'met' : 'NOT met'}`,
);
console.log(`result mix (not timed):\n${resultMix()}`);
if (sink === Number.MIN_SAFE_INTEGER) console.log('unreachable');

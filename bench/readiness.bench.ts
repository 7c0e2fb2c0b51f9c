/**
 * bench/readiness: the operator's readiness page at 100,000 products. Seeds the products of the
 * seeded bench catalog, evaluates them in every default context through the real evaluation
 * path (which keeps the readiness counters and index), then times the page on the server:
 * - the whole page through fastify (`app.inject`): summary, first list page, outbox and feeds;
 * - its readiness part alone (summary counters, one list page with a row per product and a
 *   column per context, rendered), for three filters, against a floor that sends the same Redis
 *   commands to the same keys in the same round trips and does nothing with the answers.
 * Usage: npm run bench:readiness [-- --products 100000 --rounds 30]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderReadinessPage } from '../src/adapters/admin/readiness-page.js';
import { catalogFeature } from '../src/app/catalog.js';
import { operationsFeature } from '../src/app/operations.js';
import { readinessSourcesOf } from '../src/app/readiness.js';
import { manualClock } from '../src/clock.js';
import { DEMO_OPERATOR_TOKEN } from '../src/config.js';
import {
  BLOCKERS,
  type BlockerCode,
  contextKey,
  type EvaluationContext,
  READINESS_STATES,
} from '../src/domain/index.js';
import { buildApp } from '../src/http/app.js';
import type { ReadinessListRequest } from '../src/services/readiness-data.js';
import { CATALOG_KEY_PARTS, readinessSetParts } from '../src/store/catalog-layout.js';
import { tenantKeys } from '../src/store/keys.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import type { RedisClient } from '../src/store/redis.js';
import { generateCatalog } from './support/catalog.js';
import { BENCH_TENANT, benchCatalogApp } from './support/catalog-app.js';

const TENANT = BENCH_TENANT;

const { values } = parseArgs({
  options: { products: { type: 'string' }, rounds: { type: 'string' } },
});
const PRODUCTS = Number(values.products ?? 100_000);
const ROUNDS = Number(values.rounds ?? 30);

function quantiles(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

async function timed(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i += 1) await run(); // warm: JIT, connections, policy cache
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function main(): Promise<void> {
  const external = process.env.REDIS_URL;
  const redis = external ? undefined : await startPrivateRedis({ persistence: 'none' });
  const unique = `bench-readiness-${process.pid}`;
  const feedDir = await mkdtemp(path.join(tmpdir(), 'acw-bench-readiness-'));
  const catalog = generateCatalog({ products: PRODUCTS, seed: 42 });
  const { config, ctx, runtime, stores } = benchCatalogApp({
    redisUrl: external ?? (redis?.url as string),
    unique,
    feedDir,
    // The page reads at the catalog's `now`, so the stored profiles are current, as in a
    // deployment whose jobs keep up.
    clock: manualClock(catalog.nowMs),
  });

  const started = performance.now();
  for (const policy of catalog.policies) await stores.catalog.putPolicy(policy);
  for (let from = 0; from < PRODUCTS; from += 1_000)
    await stores.catalog.putProducts(catalog.products.slice(from, from + 1_000));
  const ids = catalog.products.map((product) => product.id);
  for (let from = 0; from < ids.length; from += 2_000)
    await runtime.evaluation.evaluateBatch(stores, ids.slice(from, from + 2_000), catalog.nowMs);
  await ctx.redis.del(stores.work.dirtyKey());
  const seedSeconds = (performance.now() - started) / 1000;

  const sources = readinessSourcesOf(ctx);
  const features = [catalogFeature];
  const app = await buildApp(ctx, [
    ...features,
    operationsFeature(
      () => features,
      () => sources,
    ),
  ]);
  const contexts = config.EVALUATION_CONTEXTS;
  const first = contexts[0] as EvaluationContext;
  const overview = await sources.overview(TENANT);
  const key = tenantKeys(config.KEY_PREFIX, TENANT);
  // The most frequent blocker code that also holds back partially ready products.
  let topCode: BlockerCode | undefined;
  for (const { code } of overview.contexts[0]?.codes ?? []) {
    const partial = key(...readinessSetParts(contextKey(first), 'partially_ready', code));
    if ((await ctx.redis.zcard(partial)) > 0) {
      topCode = code;
      break;
    }
  }
  if (topCode === undefined) throw new Error('no blocker code in the bench catalog');

  const cases: { name: string; request: ReadinessListRequest; sets: string[] }[] = [
    {
      name: 'first page, no filter',
      request: { context: first, limit: 50 },
      sets: [key(...CATALOG_KEY_PARTS.productIndex)],
    },
    {
      name: `partially ready + ${topCode}`,
      request: { context: first, state: 'partially_ready', blocker: topCode, limit: 50 },
      sets: [key(...readinessSetParts(contextKey(first), 'partially_ready', topCode))],
    },
    {
      name: `${topCode} in any state, ids from SKU-00`,
      request: { context: first, blocker: topCode, q: 'SKU-00', limit: 50 },
      sets: ['partially_ready', 'blocked'].map((state) =>
        key(...readinessSetParts(contextKey(first), state, topCode)),
      ),
    },
  ];

  // The sets whose cardinalities are the summary's counters, in the order the store reads them.
  const counterSets = contexts.flatMap((context) => [
    ...READINESS_STATES.map((state) => key(...readinessSetParts(contextKey(context), state))),
    ...(Object.keys(BLOCKERS) as BlockerCode[]).flatMap((code) =>
      (['partially_ready', 'blocked'] as const).map((state) =>
        key(...readinessSetParts(contextKey(context), state, code)),
      ),
    ),
  ]);

  /** Our readiness part: the counters, one list page with its profiles, the HTML. */
  const ours = async (request: ReadinessListRequest) => {
    const [summary, listing] = await Promise.all([
      sources.overview(TENANT),
      sources.list(TENANT, request),
    ]);
    return renderReadinessPage({
      tenant: TENANT,
      tenants: [TENANT],
      overview: summary,
      filter: request,
      listing,
      outbox: null,
      feeds: [],
      csrfToken: 'x',
    });
  };

  /**
   * The floor: the same commands on the same keys in the same two round trips — the counters'
   * ZCARDs and HLEN of the catalog beside one pipeline per list set (a range and two counts);
   * then per context HMGET of the page's facts, HMGET of its profiles and GET of the policy
   * version — with no parsing, deciding or rendering.
   */
  const floor = async (request: ReadinessListRequest, sets: string[]) => {
    const r: RedisClient = ctx.redis;
    const low = request.q ? `[${request.q}` : '-';
    const high = request.q
      ? Buffer.concat([Buffer.from(`[${request.q}`), Buffer.from([0xff])])
      : '+';
    const pipeline = r.pipeline();
    for (const set of sets) {
      pipeline.zrangebylex(set, low, high, 'LIMIT', 0, request.limit + 1);
      pipeline.zlexcount(set, low, low);
      pipeline.zlexcount(set, low, high);
    }
    const counters = r.pipeline();
    for (const set of counterSets) counters.zcard(set);
    const [, , replies] = await Promise.all([
      counters.exec(),
      r.hlen(key(...CATALOG_KEY_PARTS.products)),
      pipeline.exec(),
    ]);
    const page = ((replies?.[0]?.[1] as string[] | undefined) ?? []).slice(0, request.limit);
    await Promise.all(
      contexts.map((context) =>
        // As the stores do, an empty page reads no facts or profiles.
        page.length === 0
          ? r.get(key(...CATALOG_KEY_PARTS.policyVersion))
          : Promise.all([
              r.hmget(key(...CATALOG_KEY_PARTS.products), ...page),
              r.hmget(stores.profiles.profilesKey(contextKey(context)), ...page),
              r.get(key(...CATALOG_KEY_PARTS.policyVersion)),
            ]),
      ),
    );
  };

  const operator = { authorization: `Bearer ${DEMO_OPERATOR_TOKEN}` };
  const whole = quantiles(
    await timed(async () => {
      const response = await app.inject({
        method: 'GET',
        url: `/admin/readiness?tenant=${TENANT}`,
        headers: operator,
      });
      if (response.statusCode !== 200) throw new Error(`page answered ${response.statusCode}`);
    }),
  );
  const results = [];
  for (const { name, request, sets } of cases) {
    const rows = (await sources.list(TENANT, request)).rows.length;
    // Alternate ours and the floor round by round, so load on the box hits both alike.
    const oursSamples: number[] = [];
    const floorSamples: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      oursSamples.push(...(await timed(() => ours(request))));
      floorSamples.push(...(await timed(() => floor(request, sets))));
    }
    results.push({ name, rows, ours: quantiles(oursSamples), floor: quantiles(floorSamples) });
  }

  const memory = async (k: string) => Number((await ctx.redis.memory('USAGE', k)) ?? 0);
  let indexBytes = 0;
  let indexKeys = 0;
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(
      cursor,
      'MATCH',
      `${key('readiness')}:*|*`,
      'COUNT',
      500,
    );
    cursor = next;
    for (const k of keys) indexBytes += await memory(k);
    indexKeys += keys.length;
  } while (cursor !== '0');
  let profileBytes = 0;
  for (const context of contexts)
    profileBytes += await memory(stores.profiles.profilesKey(contextKey(context)));

  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    'bench/readiness (server time of /admin/readiness; floors measured in the same run)\n',
  );
  console.log(
    `${PRODUCTS.toLocaleString('en')} products × ${contexts.length} contexts, seeded and evaluated in ${seedSeconds.toFixed(1)} s; ${ROUNDS} rounds per figure (median, p95)`,
  );
  for (const row of overview.contexts) {
    const c = row.counts;
    console.log(
      `  ${contextKey(row.context).padEnd(22)} ready ${c.ready}, partially ready ${c.partially_ready}, blocked ${c.blocked}`,
    );
  }
  console.log(
    `\n  whole page via fastify (summary, first page, outbox, feeds): ${ms(whole.median)}, p95 ${ms(whole.p95)} (aim: < 300 ms)`,
  );
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(52)} ${String(r.rows).padStart(2)} rows: ${ms(r.ours.median)} (p95 ${ms(r.ours.p95)}) ` +
        `= ${(r.ours.median / r.floor.median).toFixed(2)} × floor (${ms(r.floor.median)}, same Redis commands)`,
    );
  }
  console.log(
    `\n  readiness index: ${indexKeys} keys, ${(indexBytes / 2 ** 20).toFixed(1)} MB in Redis ` +
      `(the stored profiles: ${(profileBytes / 2 ** 20).toFixed(1)} MB)`,
  );

  await app.close();
  let scan = '0';
  do {
    const [next, keys] = await ctx.redis.scan(scan, 'MATCH', `${unique}:*`, 'COUNT', 1000);
    scan = next;
    if (keys.length > 0) await ctx.redis.unlink(...keys);
  } while (scan !== '0');
  await runtime.close();
  await ctx.close();
  await redis?.stop();
  await rm(feedDir, { recursive: true, force: true });
}

await main();

/**
 * bench/pipeline: ingest N products, evaluate them for every configured context through the real
 * BullMQ evaluation jobs, then publish all three feeds. Every figure is printed as a ratio to a
 * floor measured in the same run:
 * - evaluation: products/s through the jobs ÷ products/s of the floor, which replays the same
 *   claims, reads and writes (SPOP dirty; HMGET facts and profiles; HSET profiles, ZADD due,
 *   XADD audit and the readiness index's ZADDs and HINCRBYs in one MULTI) pipelined per batch with the values the jobs wrote, i.e. the I/O
 *   alone (see evaluationFloor);
 * - feeds: bytes/s of our writer (fast-json-stringify) ÷ bytes/s of JSON.stringify of the same
 *   items to the same sink; and the whole publish (Redis reads, re-checks, projection) ÷ its
 *   floor, the same reads page by page, JSON.stringify of the items, the same sink;
 * - memory: peak RSS while publishing, for 10k and 100k products, each in a fresh process.
 * Usage: npm run bench:pipeline [-- --sizes 10000,100000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { QueueEvents } from 'bullmq';
import { Excluded } from '../feeds/feed-format.js';
import { feedFormats } from '../feeds/formats.js';
import { DirectorySink } from '../feeds/sinks/directory-sink.js';
import { sha256Meter } from '../feeds/sinks/sha256-meter.js';
import { catalogFeature } from '../src/app/catalog.js';
import { feedSellerOf } from '../src/app/feed-seller.js';
import { systemClock } from '../src/clock.js';
import { demoCatalog } from '../src/demo/demo-catalog.js';
import {
  contextKey as contextKeyOf,
  type ProductFacts,
  RULESET_VERSION,
  toInstant,
} from '../src/domain/index.js';
import { CATALOG_QUEUE_NAMES, FEED_NAMES, type FeedName } from '../src/queues/catalog-queues.js';
import { queuePrefix } from '../src/queues/queue-groups.js';
import {
  auditKeyParts,
  CATALOG_KEY_PARTS,
  feedRenderKeyParts,
} from '../src/store/catalog-layout.js';
import { tenantKeys } from '../src/store/keys.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import { type StoredProfile, storedReadiness } from '../src/store/profile-codec.js';
import { appendReadinessChanges, type ReadinessChange } from '../src/store/readiness-index.js';
import { BENCH_TENANT, benchCatalogApp } from './support/catalog-app.js';

const TENANT = BENCH_TENANT;
/** The publisher's page size (catalog-runtime.ts). */
const FEED_PAGE_SIZE = 500;

/** The product id an item of any of the three feeds carries. */
function itemIdOf(item: unknown): string {
  const fields = item as { id?: unknown; item_id?: unknown; productId?: unknown };
  return String(fields.item_id ?? fields.id ?? fields.productId);
}

interface SizeResult {
  size: number;
  ingestPerSecond: number;
  evaluation: { seconds: number; perSecond: number; floorPerSecond: number; evaluations: number };
  feeds: Record<
    FeedName,
    {
      bytes: number;
      count: number;
      publishSeconds: number;
      writerBps: number;
      floorBps: number;
      /** The honest floor of the whole publish: the same reads, JSON.stringify, the same sink. */
      publishFloorBps: number;
      /** A second publish right after, everything still current: copied from the render cache. */
      warmPublishSeconds: number;
      warmFromCache: number;
      /** Its floor: the same reads (ids, facts, the render cache), JSON.stringify, the same sink. */
      warmPublishFloorBps: number;
    }
  >;
  publishPeakRssMb: number;
  startRssMb: number;
}

function catalogOf(nowMs: number): (from: number, to: number) => ProductFacts[] {
  const templates = demoCatalog(nowMs).products;
  return (from, to) => {
    const out: ProductFacts[] = [];
    for (let i = from; i < to; i += 1) {
      const template = templates[i % templates.length] as ProductFacts;
      const id = `P-${String(i).padStart(7, '0')}`;
      out.push({ ...template, id, sku: id, title: `${template.title} ${i}` });
    }
    return out;
  };
}

type EvaluatePhase = Pick<SizeResult, 'size' | 'ingestPerSecond' | 'evaluation'>;
type PublishPhase = Pick<SizeResult, 'feeds' | 'publishPeakRssMb' | 'startRssMb'>;

function setup(unique: string, redisUrl: string, feedDir: string) {
  return benchCatalogApp({
    redisUrl,
    unique,
    feedDir,
    clock: systemClock,
    env: { EVALUATION_COALESCE_MS: '0', FEED_PUBLISH_DEBOUNCE_MS: '600000' },
  });
}

async function allIds(stores: ReturnType<typeof setup>['stores']): Promise<string[]> {
  const ids: string[] = [];
  for (let after = '', page: string[]; ; after = page.at(-1) as string) {
    page = await stores.catalog.productIdsAfter(after, 5_000);
    ids.push(...page);
    if (page.length < 5_000) break;
  }
  return ids;
}

/**
 * The evaluation floor: the I/O the jobs did, with the values they wrote, and nothing else. The
 * jobs' output is moved aside and the state they started from restored (every id dirty, no
 * profiles, due entries, audit streams or readiness index), then per batch, pipelined: claim ids
 * (SPOP of the dirty set), read their facts and their profiles in every context (HMGET, all
 * empty as on a first evaluation), and write in one MULTI what the jobs wrote: the profiles (HSET
 * per context), the due times (ZADD), one audit entry per product (XADD, the profiles' JSON, as a
 * first evaluation writes it) and the readiness index (ZADD per set, HINCRBY per counter). Only
 * those three round trips are timed; fetching the values to write from the aside copy is not,
 * and holds one batch in memory at a time.
 */
async function evaluationFloor(
  config: ReturnType<typeof setup>['config'],
  ctx: ReturnType<typeof setup>['ctx'],
  stores: ReturnType<typeof setup>['stores'],
  contextKeys: readonly string[],
): Promise<number> {
  const key = tenantKeys(config.KEY_PREFIX, TENANT);
  const aside = (contextKey: string) => key('bench-aside', contextKey);
  for (const c of contextKeys) await ctx.redis.rename(stores.profiles.profilesKey(c), aside(c));
  const dueKey = key(...CATALOG_KEY_PARTS.due);
  const dirtyKey = key(...CATALOG_KEY_PARTS.dirty);
  await ctx.redis.del(dueKey);
  // The readiness counters and index start empty too, as before a first evaluation.
  for (let cursor = '0', keys: string[]; ; ) {
    [cursor, keys] = await ctx.redis.scan(cursor, 'MATCH', `${key('readiness')}:*`, 'COUNT', 500);
    if (keys.length > 0) await ctx.redis.unlink(...keys);
    if (cursor === '0') break;
  }
  for (let after = '', page: string[]; ; after = page.at(-1) as string) {
    page = await stores.catalog.productIdsAfter(after, 5_000);
    if (page.length === 0) break;
    const unlink = ctx.redis.pipeline();
    for (const id of page) unlink.unlink(key(...auditKeyParts(id)));
    await unlink.exec();
    await ctx.redis.sadd(dirtyKey, ...page);
    if (page.length < 5_000) break;
  }
  const batch = config.EVALUATION_BATCH_SIZE;
  let seconds = 0;
  for (;;) {
    let t0 = performance.now();
    const ids = await ctx.redis.spop(dirtyKey, batch);
    seconds += (performance.now() - t0) / 1000;
    if (ids.length === 0) break;
    const values = await Promise.all(contextKeys.map((c) => ctx.redis.hmget(aside(c), ...ids)));
    const evaluatedAt = toInstant((JSON.parse(values[0]?.[0] as string) as { e: number }).e);
    // What a first evaluation adds to the readiness index, from the profiles the jobs wrote.
    const readiness: ReadinessChange[] = contextKeys.flatMap((c, n) =>
      ids.map((id, k) => ({
        productId: id,
        contextKey: c,
        after: storedReadiness(JSON.parse((values[n] as string[])[k] as string) as StoredProfile),
      })),
    );
    t0 = performance.now();
    await Promise.all([
      stores.catalog.getProductsRaw(ids),
      ...contextKeys.map((c) => stores.profiles.readRaw(c, ids)),
    ]);
    const multi = ctx.redis.multi();
    contextKeys.forEach((c, n) => {
      const json = values[n] as string[];
      multi.hset(
        stores.profiles.profilesKey(c),
        ...ids.flatMap((id, k) => [id, json[k] as string]),
      );
    });
    const dueMs = ctx.clock.nowMs() + 3_600_000;
    multi.zadd(dueKey, ...ids.flatMap((id) => [dueMs, id]));
    appendReadinessChanges(multi, key, readiness);
    ids.forEach((id, k) => {
      const fields = ['evaluatedAt', evaluatedAt, 'rulesetVersion', RULESET_VERSION];
      contextKeys.forEach((c, n) => {
        fields.push(c, (values[n] as string[])[k] as string);
      });
      multi.xadd(
        key(...auditKeyParts(id)),
        'MAXLEN',
        '~',
        config.AUDIT_MAXLEN_PER_PRODUCT,
        '*',
        ...fields,
      );
    });
    await multi.exec();
    seconds += (performance.now() - t0) / 1000;
  }
  for (const c of contextKeys) await ctx.redis.del(aside(c));
  return seconds;
}

/** Ingest and evaluate through the jobs, then the evaluation floor; leaves the data for publish. */
async function evaluatePhase(
  size: number,
  redisUrl: string,
  unique: string,
  feedDir: string,
): Promise<EvaluatePhase> {
  const { config, ctx, runtime, stores } = setup(unique, redisUrl, feedDir);
  const nowMs = ctx.clock.nowMs();
  for (const policy of demoCatalog(nowMs).policies) await stores.catalog.putPolicy(policy);

  // Ingest (no evaluation runs yet: workers start afterwards).
  const products = catalogOf(nowMs);
  let started = performance.now();
  for (let from = 0; from < size; from += 1_000)
    await stores.catalog.putProducts(products(from, Math.min(size, from + 1_000)));
  const ingestSeconds = (performance.now() - started) / 1000;

  // Evaluation through the real jobs.
  const events = new QueueEvents(CATALOG_QUEUE_NAMES.evaluate, {
    connection: { url: redisUrl },
    prefix: queuePrefix(config, CATALOG_QUEUE_NAMES.evaluate),
  });
  await events.waitUntilReady();
  let evaluations = 0;
  const done = new Promise<void>((resolve) => {
    events.on('completed', ({ returnvalue }) => {
      const r = returnvalue as unknown as {
        evaluations: number;
        remaining: number;
        products: number;
      };
      evaluations += r.evaluations;
      if (r.remaining === 0 && r.products > 0) resolve();
    });
  });
  const workers = await catalogFeature.startWorkers!(ctx);
  started = performance.now();
  await runtime.evaluation.requestEvaluation(TENANT, 0);
  await done;
  const evalSeconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((w) => w.close()));
  await events.close();

  const floorSeconds = await evaluationFloor(config, ctx, stores, runtime.evaluation.contextKeys);
  await runtime.close();
  await ctx.close();
  return {
    size,
    ingestPerSecond: size / ingestSeconds,
    evaluation: {
      seconds: evalSeconds,
      perSecond: size / evalSeconds,
      floorPerSecond: size / floorSeconds,
      evaluations,
    },
  };
}

/**
 * Publishes the three feeds of the catalog the evaluate phase left, in a fresh process so the
 * peak RSS is the publisher's alone; then the writer floors; then removes the run's keys.
 */
async function publishPhase(
  redisUrl: string,
  unique: string,
  feedDir: string,
): Promise<PublishPhase> {
  const { config, ctx, runtime, stores } = setup(unique, redisUrl, feedDir);
  const nowMs = ctx.clock.nowMs();
  // Feeds: whole publish, peak RSS sampled while publishing.
  (globalThis as { gc?: () => void }).gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const feeds = {} as SizeResult['feeds'];
  for (const feed of FEED_NAMES) {
    const started = performance.now();
    const outcome = await runtime.feeds.publish(TENANT, feed);
    const publishSeconds = (performance.now() - started) / 1000;
    // Again, nothing changed: what the render cache keeps is copied.
    const warmStarted = performance.now();
    const warm = await runtime.feeds.publish(TENANT, feed);
    feeds[feed] = {
      bytes: outcome.manifest?.bytes ?? 0,
      count: outcome.manifest?.count ?? 0,
      publishSeconds,
      writerBps: 0,
      floorBps: 0,
      publishFloorBps: 0,
      warmPublishSeconds: (performance.now() - warmStarted) / 1000,
      warmFromCache: warm.fromCache ?? 0,
      warmPublishFloorBps: 0,
    };
  }
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const ids = await allIds(stores);
  // Writer vs floor: the same items (projected once, up front) to the same sink, serialized by
  // the feed's compiled serializer and by JSON.stringify.
  const formats = feedFormats({ seller: feedSellerOf(config) });
  const sink = new DirectorySink(path.join(feedDir, 'floor'), 1);
  for (const feed of FEED_NAMES) {
    const format = formats[feed];
    const items: unknown[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const page = await runtime.profiles.currentPage(
        TENANT,
        ids.slice(i, i + 500),
        config.FEED_CONTEXT,
        nowMs,
      );
      for (const found of page) {
        if (found?.product === undefined) continue;
        const item = format.project({
          product: found.product,
          profile: found.profile,
          publishedAt: 'x',
        });
        if (item !== null && !(item instanceof Excluded)) items.push(item);
      }
    }
    /** Writes chunks to the sink as the publisher does (gzip when the format is, sha-256); bytes/s. */
    const toSink = async (chunks: Iterable<Buffer> | AsyncIterable<Buffer>, file: string) => {
      const meter = sha256Meter();
      const target = await sink.open(TENANT, feed, file);
      const t0 = performance.now();
      if (format.gzip)
        await pipeline(Readable.from(chunks), createGzip(), meter.stream, target.stream);
      else await pipeline(Readable.from(chunks), meter.stream, target.stream);
      await target.complete();
      const { bytes } = meter.result();
      return bytes / ((performance.now() - t0) / 1000);
    };
    const byId = new Map<string, unknown>();
    for (const item of items) byId.set(itemIdOf(item), item);
    // The whole publish's floor: the I/O the publisher does, page by page with one page read
    // ahead (the page of ids, the products' facts, the render cache and, on a first publish,
    // the stored profiles in the feed's context, the same commands on the same keys; a first
    // publish also writes the page's renderings back, the same bytes), then JSON.stringify of
    // the items those ids stand for (projected up front, untimed), framed and written to the
    // same sink (gzip and sha-256 as the publisher does). What it leaves out is ours: parsing
    // and re-checking facts, profiles and kept renderings, deciding stale ones again,
    // projecting and serializing.
    const renderKey = tenantKeys(config.KEY_PREFIX, TENANT)(...feedRenderKeyParts(feed));
    const kept = new Map(Object.entries(await ctx.redis.hgetall(renderKey)));
    const publishFloor = async (file: string, first: boolean) => {
      const { head, between, after, tail } = format.framing;
      const contextKey = contextKeyOf(config.FEED_CONTEXT);
      const writes: Promise<unknown>[] = [];
      const readPage = async (cursor: string) => {
        const pageIds = await stores.catalog.productIdsAfter(cursor, FEED_PAGE_SIZE);
        if (pageIds.length === 0) return pageIds;
        await Promise.all([
          stores.catalog.getProductsRaw(pageIds),
          ctx.redis.hmget(renderKey, ...pageIds),
          ...(first ? [stores.profiles.readRaw(contextKey, pageIds)] : []),
        ]);
        if (first) {
          const flat = pageIds.flatMap((id) => [id, kept.get(id) ?? '']);
          writes.push(ctx.redis.hset(renderKey, ...flat));
        }
        return pageIds;
      };
      async function* chunks() {
        let text = head;
        let count = 0;
        let next = readPage('');
        for (;;) {
          const pageIds = await next;
          if (pageIds.length === 0) break;
          const more = pageIds.length >= FEED_PAGE_SIZE;
          if (more) next = readPage(pageIds.at(-1) as string);
          for (const id of pageIds) {
            const item = byId.get(id);
            if (item === undefined) continue;
            if (count > 0) text += between;
            text += JSON.stringify(item) + after;
            count += 1;
          }
          yield Buffer.from(text);
          text = '';
          if (!more) break;
        }
        await Promise.all(writes);
        yield Buffer.from(text + tail);
      }
      return toSink(chunks(), file);
    };
    const write = async (serialize: (item: unknown) => string, file: string) => {
      const { head, between, after, tail } = format.framing;
      function* chunks() {
        let text = head;
        for (let i = 0; i < items.length; i += 1) {
          if (i > 0) text += between;
          text += serialize(items[i]) + after;
          if (text.length > 1 << 16) {
            yield Buffer.from(text);
            text = '';
          }
        }
        yield Buffer.from(text + tail);
      }
      return toSink(chunks(), file);
    };
    // Warm both, then measure each twice and keep the best (less noise on a busy 2-core box).
    await write(format.serialize as (item: unknown) => string, 'warm-a');
    await write((item) => JSON.stringify(item), 'warm-b');
    let ours = 0;
    let floor = 0;
    for (let round = 0; round < 2; round += 1) {
      ours = Math.max(
        ours,
        await write(format.serialize as (item: unknown) => string, `ours-${round}`),
      );
      floor = Math.max(floor, await write((item) => JSON.stringify(item), `floor-${round}`));
    }
    feeds[feed].writerBps = ours;
    feeds[feed].floorBps = floor;
    await publishFloor('warm-floor', true);
    let publishFloorBps = 0;
    let warmPublishFloorBps = 0;
    for (let round = 0; round < 2; round += 1) {
      publishFloorBps = Math.max(
        publishFloorBps,
        await publishFloor(`publish-floor-${round}`, true),
      );
      warmPublishFloorBps = Math.max(
        warmPublishFloorBps,
        await publishFloor(`publish-floor-warm-${round}`, false),
      );
    }
    feeds[feed].publishFloorBps = publishFloorBps;
    feeds[feed].warmPublishFloorBps = warmPublishFloorBps;
  }

  // Clean up this run's keys and files.
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', `${unique}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await ctx.redis.unlink(...keys);
  } while (cursor !== '0');
  await runtime.queues.evaluate.obliterate({ force: true });
  await runtime.queues.publishFeed.obliterate({ force: true });
  await runtime.close();
  await ctx.close();

  return { feeds, publishPeakRssMb: peakRss / 2 ** 20, startRssMb: startRss / 2 ** 20 };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      phase: { type: 'string' },
      size: { type: 'string' },
      redis: { type: 'string' },
      unique: { type: 'string' },
      dir: { type: 'string' },
    },
  });
  if (values.phase !== undefined) {
    const { redis, unique, dir } = values as Record<string, string>;
    const result =
      values.phase === 'evaluate'
        ? await evaluatePhase(Number(values.size), redis as string, unique as string, dir as string)
        : await publishPhase(redis as string, unique as string, dir as string);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const sizes = (values.sizes ?? '10000,100000').split(',').map(Number);
  const external = process.env.REDIS_URL;
  const redis = external ? undefined : await startPrivateRedis({ persistence: 'none' });
  const url = external ?? (redis?.url as string);
  const self = fileURLToPath(import.meta.url);
  const results: SizeResult[] = [];
  const run = (args: string[]) => {
    const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, self, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      throw new Error(`bench phase ${args.join(' ')} failed`);
    }
    return JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
  };
  for (const size of sizes) {
    // Each phase in a fresh process, so the publish peak RSS is the publisher's own.
    const unique = `bench-${process.pid}-${size}`;
    const dir = await mkdtemp(path.join(tmpdir(), 'acw-bench-'));
    const common = ['--redis', url, '--unique', unique, '--dir', dir];
    const evaluated: EvaluatePhase = run([
      '--phase',
      'evaluate',
      '--size',
      String(size),
      ...common,
    ]);
    const published: PublishPhase = run(['--phase', 'publish', ...common]);
    await rm(dir, { recursive: true, force: true });
    results.push({ ...evaluated, ...published });
  }
  await redis?.stop();

  console.log('bench/pipeline (ratios against floors measured in the same run)\n');
  for (const r of results) {
    const e = r.evaluation;
    console.log(
      `${r.size.toLocaleString('en')} products, ${r.size * 4 === e.evaluations ? 4 : e.evaluations / r.size} contexts each`,
    );
    console.log(`  ingest                ${fmt(r.ingestPerSecond, 0)} products/s`);
    console.log(
      `  evaluation            ${fmt(e.perSecond, 0)} products/s in ${fmt(e.seconds)} s ` +
        `= ${fmt(e.perSecond / e.floorPerSecond)} × floor (${fmt(e.floorPerSecond, 0)} products/s of pipelined reads+writes of the same keys)`,
    );
    for (const feed of FEED_NAMES) {
      const f = r.feeds[feed];
      const publishBps = f.bytes / f.publishSeconds;
      console.log(
        `  feed ${feed.padEnd(12)} ${String(f.count).padStart(7)} items ${fmt(f.bytes / 2 ** 20)} MiB: ` +
          `writer ${fmt(f.writerBps / 2 ** 20)} MiB/s = ${fmt(f.writerBps / f.floorBps)} × floor (JSON.stringify, same items, same sink); ` +
          `whole publish ${fmt(publishBps / 2 ** 20)} MiB/s in ${fmt(f.publishSeconds)} s = ${fmt(publishBps / f.publishFloorBps)} × floor ` +
          `(${fmt(f.publishFloorBps / 2 ** 20)} MiB/s: the same reads, JSON.stringify, the same sink)`,
      );
      const warmBps = f.bytes / f.warmPublishSeconds;
      console.log(
        `    again, unchanged    ${fmt(f.warmPublishSeconds)} s, ${f.warmFromCache} of the catalog's products copied from the render cache: ` +
          `${fmt(warmBps / 2 ** 20)} MiB/s = ${fmt(warmBps / f.warmPublishFloorBps)} × floor ` +
          `(${fmt(f.warmPublishFloorBps / 2 ** 20)} MiB/s: the same reads, JSON.stringify, the same sink)`,
      );
    }
    console.log(
      `  publish peak RSS      ${fmt(r.publishPeakRssMb, 0)} MiB (at publish start ${fmt(r.startRssMb, 0)} MiB)`,
    );
  }
  if (results.length >= 2) {
    const [small, large] = [results[0] as SizeResult, results.at(-1) as SizeResult];
    console.log(
      `\npublish peak RSS ${large.size.toLocaleString('en')} vs ${small.size.toLocaleString('en')} products: ` +
        `${fmt(large.publishPeakRssMb / small.publishPeakRssMb)} × for ${fmt(large.size / small.size, 0)} × the catalog`,
    );
  }
}

await main();

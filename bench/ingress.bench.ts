/**
 * bench/ingress: A2A `SendMessage` (v1.0 JSON-RPC, `returnImmediately: true`, a data part with a
 * valid request, a new message id each) at 64 connections (autocannon) against the service's
 * ingress role (`src/main.ts --role ingress`, its own process), beside, in the same run and on
 * the same Redis:
 * - the floor: a bare fastify route in its own process that parses the same bodies and adds one
 *   BullMQ job each with the same job options (bench/support/ingress-floor.ts);
 * - a raw `queue.add` loop from this process, 64 in flight, for reference.
 * Floor and ingress take turns, round by round, so load on the box hits both alike; each figure
 * is the median of its rounds, the ratio the median of the rounds' ratios. Accepted = jobs that
 * reached the queue (counted in Redis), which must equal the 2xx answers: a JSON-RPC error
 * answers 200 too and must not count.
 * Usage: npm run bench:ingress [-- --connections 64 --seconds 5 --rounds 4 --log-level info
 *   --cpu-prof DIR]   (--cpu-prof: the ingress process writes a V8 CPU profile into DIR)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { INTENTS_QUEUE } from '../src/queues/intent-queues.js';
import { queuePrefix } from '../src/queues/queue-groups.js';
import { startPrivateRedis } from '../src/store/private-redis.js';
import { connectRedis } from '../src/store/redis.js';
import { commandStats } from './support/measure.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOKEN = 'bench-token-0123456789abcdef';

const { values } = parseArgs({
  options: {
    connections: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    adds: { type: 'string' },
    'log-level': { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections ?? 64);
const SECONDS = Number(values.seconds ?? 5);
const ROUNDS = Number(values.rounds ?? 4);
const ADDS = Number(values.adds ?? 30_000);
// The service's default level: every request logs as it would in a deployment.
const LOG_LEVEL = values['log-level'] ?? 'info';

/** What an agent asks for: the return terms of the Travel Backpack for a German consumer. */
const REQUEST = {
  action: 'get_return_terms',
  productId: 'BAG-TRAVEL-42',
  country: 'DE',
  buyerType: 'consumer',
};
/** autocannon puts a new id in place of each `[<id>]` per request: a new message every time. */
const BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: '[<id>]',
  method: 'SendMessage',
  params: {
    message: { messageId: '[<id>]', role: 'ROLE_USER', parts: [{ data: REQUEST }] },
    configuration: { returnImmediately: true },
  },
});
const HEADERS = {
  authorization: `Bearer ${TOKEN}`,
  'content-type': 'application/json',
  'a2a-version': '1.0',
};

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  /** Jobs in its queue (waiting: nothing works them off in this bench). */
  jobs(): Promise<number>;
  stop(): Promise<void>;
}

async function waitForListening(child: ChildProcess, url: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited (${child.exitCode})`);
    const up = await fetch(url, { method: 'POST', headers: HEADERS, body: '{}' }).then(
      () => true,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url}: not listening within 60 s`);
}

async function startServer(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  queuePrefix: string;
  probe: Redis;
  nodeFlags?: string[];
  args?: string[];
}): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', options.script, ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
      // Logs go where a deployment's would go, only to nowhere; errors stay visible.
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}/a2a`;
  await waitForListening(child, url);
  const queue = new Queue(INTENTS_QUEUE, {
    connection: options.probe,
    prefix: queuePrefix({ QUEUE_PREFIX: options.queuePrefix }, INTENTS_QUEUE),
  });
  return {
    name: options.name,
    url,
    child,
    jobs: () => queue.getWaitingCount(),
    async stop() {
      await queue.close();
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** CPU seconds a child process has used so far (Linux /proc), or NaN elsewhere. */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return Number.NaN;
  }
}

async function redisCpu(probe: Redis): Promise<number> {
  const info = await probe.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

interface Round {
  accepted: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU ms per accepted message of the server process and of redis-server. */
  serverCpuUs: number;
  redisCpuUs: number;
  /** redis-server commands per accepted message (scripts' inner calls counted apart). */
  commands: Map<string, number>;
}

async function load(server: Server, seconds: number, probe: Redis): Promise<Round> {
  const jobsBefore = await server.jobs();
  const statsBefore = await commandStats(probe);
  const cpuBefore = { server: cpuOf(server.child.pid), redis: await redisCpu(probe) };
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: HEADERS,
    body: BODY,
    idReplacement: true,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpuAfter = { server: cpuOf(server.child.pid), redis: await redisCpu(probe) };
  const statsAfter = await commandStats(probe);
  const accepted = (await server.jobs()) - jobsBefore;
  const commands = new Map<string, number>();
  for (const [name, { calls }] of statsAfter) {
    const delta = calls - (statsBefore.get(name)?.calls ?? 0);
    if (delta > 0 && !['info', 'llen', 'zcard'].includes(name))
      commands.set(name, delta / Math.max(1, accepted));
  }
  const elapsed = result.duration;
  return {
    accepted,
    perSecond: accepted / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + Math.max(0, result['2xx'] - accepted),
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuUs: ((cpuAfter.server - cpuBefore.server) * 1e6) / Math.max(1, accepted),
    redisCpuUs: ((cpuAfter.redis - cpuBefore.redis) * 1e6) / Math.max(1, accepted),
    commands,
  };
}

/** The raw loop: `queue.add` with the same job options, CONNECTIONS in flight, from here. */
async function rawAdds(redisUrl: string, prefix: string, count: number): Promise<number> {
  const connection = connectRedis(redisUrl, 'producer');
  const queue = new Queue(INTENTS_QUEUE, { connection, prefix });
  const run = async (tag: string, total: number) => {
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < total; i = next++)
        await queue.add(
          'process-intent',
          { messageId: `${tag}-${i}`, request: REQUEST },
          {
            jobId: `raw-${tag}-${i}`,
            attempts: 3,
            backoff: { type: 'exponential', delay: 500 },
            removeOnComplete: { age: 86_400 },
            removeOnFail: { age: 86_400 },
          },
        );
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  };
  await run('warm', Math.min(count, 5_000));
  const started = performance.now();
  await run('timed', count);
  const perSecond = count / ((performance.now() - started) / 1000);
  await queue.close();
  await connection.quit();
  return perSecond;
}

async function main(): Promise<void> {
  const external = process.env.REDIS_URL;
  const redis = external ? undefined : await startPrivateRedis({ persistence: 'none' });
  const redisUrl = external ?? (redis?.url as string);
  const unique = `bench-ingress-${process.pid}`;
  // The bench runs on one node (its own private server or REDIS_URL).
  const probe = connectRedis(redisUrl, 'store') as Redis;

  const profileDir = values['cpu-prof'];
  const ingress = await startServer({
    name: 'ingress',
    script: 'src/main.ts',
    args: ['--role', 'ingress'],
    nodeFlags:
      profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`],
    env: {
      REDIS_URL: redisUrl,
      KEY_PREFIX: unique,
      QUEUE_PREFIX: `{${unique}}`,
      AUTH_TOKENS: `bench:${TOKEN}`,
      SEED_DEMO: 'false',
      LOG_LEVEL,
      NODE_ENV: 'development',
    },
    queuePrefix: `{${unique}}`,
    probe,
  });
  const floor = await startServer({
    name: 'floor',
    script: 'bench/support/ingress-floor.ts',
    env: { REDIS_URL: redisUrl, QUEUE_PREFIX: `{${unique}-floor}` },
    queuePrefix: `{${unique}-floor}`,
    probe,
  });

  // One answer checked by hand: a v1 SendMessageResponse holding a submitted task.
  const reply = (await (
    await fetch(ingress.url, {
      method: 'POST',
      headers: HEADERS,
      body: BODY.replaceAll('[<id>]', `check-${process.pid}`),
    })
  ).json()) as { result?: { task?: { status?: { state?: string } } } };
  if (reply.result?.task?.status?.state !== 'TASK_STATE_SUBMITTED')
    throw new Error(`SendMessage did not answer a submitted task: ${JSON.stringify(reply)}`);

  for (const server of [floor, ingress]) await load(server, 2, probe); // warm: JIT, connections
  const rounds: Record<'floor' | 'ingress', Round[]> = { floor: [], ingress: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.floor.push(await load(floor, SECONDS, probe));
    rounds.ingress.push(await load(ingress, SECONDS, probe));
  }
  const raw = await rawAdds(redisUrl, `{${unique}-raw}`, ADDS);

  // Medians: a round that other load on the box slowed down moves neither figure. The ratio is
  // the median of each round's ingress ÷ the floor of the round just before it.
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] as number;
  };
  const medianRound = (list: Round[]) => {
    const sorted = [...list].sort((a, b) => a.perSecond - b.perSecond);
    return sorted[Math.floor((sorted.length - 1) / 2)] as Round;
  };
  const f = medianRound(rounds.floor);
  const i = medianRound(rounds.ingress);
  const ratio = median(
    rounds.ingress.map((r, k) => r.perSecond / (rounds.floor[k] as Round).perSecond),
  );
  const cpuRatio = median(
    rounds.ingress.map((r, k) => r.serverCpuUs / (rounds.floor[k] as Round).serverCpuUs),
  );
  const rate = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const line = (name: string, r: Round) =>
    `  ${name.padEnd(34)} ${rate(r.perSecond).padStart(8)} accepted, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}` +
    `; CPU per message: server ${r.serverCpuUs.toFixed(0)} µs, redis ${r.redisCpuUs.toFixed(0)} µs` +
    (r.non2xx + r.errors + r.timeouts > 0
      ? `; NOT ACCEPTED ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`
      : '');
  const commands = (r: Round) =>
    [...r.commands]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n.toFixed(2)}`)
      .join(', ');

  console.log(
    'bench/ingress (A2A SendMessage, returnImmediately; floors measured in the same run)\n',
  );
  console.log(
    `${CONNECTIONS} connections, ${SECONDS} s per round, ${ROUNDS} rounds each, alternating (medians), ingress LOG_LEVEL=${LOG_LEVEL}`,
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    console.log(line(`floor round ${round + 1}`, rounds.floor[round] as Round));
    console.log(line(`ingress round ${round + 1}`, rounds.ingress[round] as Round));
  }
  console.log('');
  console.log(line('floor (bare fastify + queue.add)', f));
  console.log(line('ingress SendMessage', i));
  console.log(`  raw queue.add loop, ${CONNECTIONS} in flight      ${rate(raw).padStart(8)}`);
  console.log(
    `\n  ingress / floor: ${ratio.toFixed(2)} × accepted/s (aim ≥ 0.80), ` +
      `p99 ${ms(i.p99)} vs ${ms(f.p99)} (aim < 50 ms); server CPU per message ${cpuRatio.toFixed(1)} × the floor's; ` +
      `floor / raw loop: ${(f.perSecond / raw).toFixed(2)}`,
  );
  console.log(`  redis calls per message, floor:   ${commands(f)}`);
  console.log(`  redis calls per message, ingress: ${commands(i)}`);

  await ingress.stop();
  await floor.stop();
  await probe.quit();
  await redis?.stop();
}

await main();

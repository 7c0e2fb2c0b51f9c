/**
 * bench/mcp: MCP `tools/call get_product_readiness` (Streamable HTTP, stateless, JSON answers)
 * per second at 32 connections (autocannon; each one client with its own keep-alive socket)
 * against its floor, the profile API over HTTP (`GET /v1/products/{id}/profile`), in the same
 * run, on the same Redis, for the same product and context, served by the same process: the
 * service (`src/main.ts --role all`, its own process, the demo catalog seeded and its profiles
 * stored by the evaluation job before anything is timed). Both read the same stored profile
 * through the same profile service; what MCP adds is the protocol: JSON-RPC parsing, the SDK's
 * server and transport, argument validation and the result's text copy.
 * Floor and MCP take turns, round by round, so load on the box hits both alike; each figure is
 * the median of its rounds, the ratio the median of the rounds' ratios. Only answers that carry
 * the profile count: a JSON-RPC error or an `isError` result is a mismatch, not a request.
 * Usage: npm run bench:mcp [-- --connections 32 --seconds 5 --rounds 4 --log-level info
 *   --cpu-prof DIR --only mcp|floor --session]   (--cpu-prof: the service process writes a V8
 *   CPU profile into DIR; --only: load one surface alone, e.g. to profile it, and print no
 *   ratio; --session: every call carries the Mcp-Session-Id an initialize gave, as the SDK
 *   client's calls do, so each one also checks and renews its session in Redis)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startPrivateRedis } from '../src/store/private-redis.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOKEN = 'bench-token-0123456789abcdef';
const PRODUCT = 'BAG-TRAVEL-42';
const REGION = 'EU';

const { values } = parseArgs({
  options: {
    connections: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    'log-level': { type: 'string' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    session: { type: 'boolean' },
  },
});
const CONNECTIONS = Number(values.connections ?? 32);
const SECONDS = Number(values.seconds ?? 5);
const ROUNDS = Number(values.rounds ?? 4);
// The service's default level: every request logs as it would in a deployment.
const LOG_LEVEL = values['log-level'] ?? 'info';
if (values.only !== undefined && values.only !== 'mcp' && values.only !== 'floor')
  throw new Error('--only takes mcp or floor');
const ONLY = values.only as 'mcp' | 'floor' | undefined;

/** One surface under load: what autocannon sends, and what an answer that counts looks like. */
interface Target {
  name: string;
  options: autocannon.Options;
  /** Whether a body is the profile (not an error dressed as a 200). */
  carriesProfile(body: string): boolean;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function targets(baseUrl: string): { floor: Target; mcp: Target } {
  const auth = { authorization: `Bearer ${TOKEN}` };
  return {
    floor: {
      name: 'profile API',
      options: {
        url: `${baseUrl}/v1/products/${PRODUCT}/profile?region=${REGION}`,
        method: 'GET',
        headers: auth,
      },
      carriesProfile: (body) => body.startsWith('{"source":"stored"'),
    },
    mcp: {
      name: 'MCP tools/call',
      options: {
        url: `${baseUrl}/mcp`,
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'get_product_readiness',
            arguments: { productId: PRODUCT, context: { region: REGION } },
          },
        }),
      },
      carriesProfile: (body) =>
        body.includes('"structuredContent":{') && !body.includes('"isError":true'),
    },
  };
}

/** CPU seconds a child process has used so far (Linux /proc), or NaN elsewhere. */
async function cpuOf(pid: number | undefined): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises');
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return Number.NaN;
  }
}

interface Round {
  perSecond: number;
  p50: number;
  p99: number;
  /** Answers that were not the profile: non-2xx, errors, timeouts, error bodies. */
  failed: number;
  /** CPU µs of the service process per answered call. */
  serverCpuUs: number;
}

async function load(target: Target, seconds: number, pid: number | undefined): Promise<Round> {
  const cpuBefore = await cpuOf(pid);
  const result = await autocannon({
    ...target.options,
    connections: CONNECTIONS,
    duration: seconds,
    verifyBody: (body) => target.carriesProfile(String(body ?? '')),
  });
  const cpuAfter = await cpuOf(pid);
  const mismatches = (result as unknown as { mismatches?: number }).mismatches ?? 0;
  const answered = result['2xx'] - mismatches;
  return {
    perSecond: answered / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts + mismatches,
    serverCpuUs: ((cpuAfter - cpuBefore) * 1e6) / Math.max(1, answered),
  };
}

interface Service {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startService(redisUrl: string, unique: string): Promise<Service> {
  const port = await freePort();
  const feedDir = await mkdtemp(path.join(tmpdir(), 'acw-bench-mcp-'));
  const profileDir = values['cpu-prof'];
  const child = spawn(
    process.execPath,
    [
      ...(profileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`]),
      '--import',
      'tsx',
      'src/main.ts',
      '--role',
      'all',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        KEY_PREFIX: unique,
        QUEUE_PREFIX: `{${unique}}`,
        AUTH_TOKENS: `bench:${TOKEN}`,
        SEED_DEMO: 'true',
        FEED_DIR: feedDir,
        LOG_LEVEL,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      // Logs go where a deployment's would go, only to nowhere; errors stay visible.
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(feedDir, { recursive: true, force: true });
    },
  };
}

interface ProfileBody {
  source: string;
  profile: { decisions: { action: string; policyDomain?: string; result: string }[] };
}

/** Waits until the evaluation job has stored the product's profile (the API says `stored`). */
async function storedProfile(service: Service): Promise<ProfileBody> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (service.child.exitCode !== null)
      throw new Error(`the service exited (${service.child.exitCode})`);
    const body = await fetch(`${service.baseUrl}/v1/products/${PRODUCT}/profile?region=${REGION}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then(
      async (response) => (response.ok ? ((await response.json()) as ProfileBody) : undefined),
      () => undefined,
    );
    if (body?.source === 'stored') return body;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('no stored profile within 60 s');
}

/** An initialize on the MCP endpoint: the session id its answer gives. */
async function openSession(mcp: Target): Promise<string> {
  const response = await fetch(mcp.options.url, {
    method: 'POST',
    headers: mcp.options.headers as Record<string, string>,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench-mcp', version: '1.0.0' },
      },
    }),
  });
  await response.body?.cancel();
  const sessionId = response.headers.get('mcp-session-id');
  if (sessionId === null) throw new Error(`initialize gave no session (${response.status})`);
  return sessionId;
}

const decisionsOf = (decisions: { action: string; policyDomain?: string; result: string }[]) =>
  decisions.map((d) => `${d.action}/${d.policyDomain ?? '-'}=${d.result}`).sort();

async function main(): Promise<void> {
  const external = process.env.REDIS_URL;
  const redis = external ? undefined : await startPrivateRedis({ persistence: 'none' });
  const redisUrl = external ?? (redis?.url as string);
  const service = await startService(redisUrl, `bench-mcp-${process.pid}`);
  const { floor, mcp } = targets(service.baseUrl);

  // One answer of each checked by hand: the same decisions, from the same stored profile.
  const api = await storedProfile(service);
  if (values.session === true) {
    const sessionId = await openSession(mcp);
    mcp.name = 'MCP tools/call (session)';
    mcp.options.headers = { ...mcp.options.headers, 'mcp-session-id': sessionId };
  }
  const call = (await (
    await fetch(mcp.options.url, {
      method: 'POST',
      headers: mcp.options.headers as Record<string, string>,
      body: mcp.options.body as string,
    })
  ).json()) as {
    result?: { structuredContent?: { decisions: ProfileBody['profile']['decisions'] } };
  };
  const viaMcp = call.result?.structuredContent?.decisions;
  if (viaMcp === undefined)
    throw new Error(`tools/call did not answer a profile: ${JSON.stringify(call)}`);
  if (JSON.stringify(decisionsOf(viaMcp)) !== JSON.stringify(decisionsOf(api.profile.decisions)))
    throw new Error('MCP and the profile API disagree on the decisions');

  const pid = service.child.pid;
  const loaded = ONLY === undefined ? (['floor', 'mcp'] as const) : ([ONLY] as const);
  const byName = { floor, mcp };
  for (const name of loaded) await load(byName[name], 2, pid); // warm: JIT, connections
  const rounds: Record<'floor' | 'mcp', Round[]> = { floor: [], mcp: [] };
  for (let round = 0; round < ROUNDS; round += 1)
    for (const name of loaded) rounds[name].push(await load(byName[name], SECONDS, pid));
  // Still stored at the end: no round read a profile the domain had to evaluate again.
  const after = await storedProfile(service);
  if (ONLY !== undefined) {
    const only = rounds[ONLY];
    for (const [k, r] of only.entries())
      console.log(
        `${byName[ONLY].name} round ${k + 1}: ${Math.round(r.perSecond)}/s, p99 ${r.p99} ms, service CPU per call ${r.serverCpuUs.toFixed(0)} µs, failed ${r.failed}`,
      );
    await service.stop();
    await redis?.stop();
    return;
  }

  const median = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] as number;
  };
  const medianRound = (list: Round[]) => {
    const sorted = [...list].sort((a, b) => a.perSecond - b.perSecond);
    return sorted[Math.floor((sorted.length - 1) / 2)] as Round;
  };
  const f = medianRound(rounds.floor);
  const m = medianRound(rounds.mcp);
  const ratio = median(
    rounds.mcp.map((r, k) => r.perSecond / (rounds.floor[k] as Round).perSecond),
  );
  const cpuRatio = median(
    rounds.mcp.map((r, k) => r.serverCpuUs / (rounds.floor[k] as Round).serverCpuUs),
  );
  const rate = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const line = (name: string, r: Round) =>
    `  ${name.padEnd(26)} ${rate(r.perSecond).padStart(8)}, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}` +
    `; service CPU per call ${r.serverCpuUs.toFixed(0)} µs` +
    (r.failed > 0 ? `; NOT A PROFILE ${r.failed}` : '');

  console.log('bench/mcp (tools/call get_product_readiness vs the profile API; same run)\n');
  console.log(
    `${CONNECTIONS} connections, ${SECONDS} s per round, ${ROUNDS} rounds each, alternating (medians), ` +
      `service LOG_LEVEL=${LOG_LEVEL}, profile source at the end: ${after.source}`,
  );
  for (let round = 0; round < ROUNDS; round += 1) {
    console.log(line(`profile API round ${round + 1}`, rounds.floor[round] as Round));
    console.log(line(`MCP round ${round + 1}`, rounds.mcp[round] as Round));
  }
  console.log('');
  console.log(line(floor.name, f));
  console.log(line(mcp.name, m));
  console.log(
    `\n  MCP / profile API: ${ratio.toFixed(2)} × calls/s (aim ≥ 0.70); ` +
      `service CPU per call ${cpuRatio.toFixed(2)} × the profile API's`,
  );

  await service.stop();
  await redis?.stop();
}

await main();

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './seeded-random.js';

/**
 * The shared core of the sandbox providers: a node:http server on loopback that behaves like a
 * real provider where it matters to us — an Idempotency-Key seen before gets the same answer
 * without applying anything again — counts what it receives, and injects faults on demand.
 * Each sandbox provider adds only its routes.
 */

export interface SandboxCall {
  method: string;
  /** Path without the query string, e.g. /payments/p1/capture. */
  path: string;
  body: unknown;
  idempotencyKey: string | undefined;
  headers: IncomingMessage['headers'];
  rawBody: string;
}

export interface SandboxReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type SandboxHandler = (call: SandboxCall) => SandboxReply;

export const FAULT_KINDS = ['5xx', 'reset', 'timeout'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Seed of the fault generator; the same seed injects the same sequence. @defaultValue 1 */
  seed?: number;
  /** Share of calls (0..1) that meet a fault. @defaultValue 0 */
  rate?: number;
  /**
   * Which faults, drawn evenly: `5xx` answers 503 before applying anything; `reset` applies the
   * call then destroys the connection (the caller cannot know it happened); `timeout` applies it
   * then answers only after `timeoutMs`, past the caller's deadline.
   * @defaultValue all three
   */
  kinds?: readonly FaultKind[];
  /** @defaultValue 2000 */
  timeoutMs?: number;
  /** Every answer waits this long (after applying), like a provider's own latency. @defaultValue 0 */
  latencyMs?: number;
  /** Answers a call instead of the provider (to force a 4xx or 429); undefined lets it through. */
  override?: (call: SandboxCall) => SandboxReply | undefined;
}

export interface SandboxStats {
  /** Every request received, retries included. */
  deliveries: number;
  /** Requests whose key had been seen, answered from the idempotency record. */
  replays: number;
  /** Calls that changed provider state (first sight of a key, 2xx). */
  applied: number;
  /** Requests without an Idempotency-Key (our client must never send one). */
  missingKey: number;
  faults: Record<FaultKind, number>;
  /** Idempotency-Key → requests carrying it. */
  byKey: Map<string, number>;
}

export interface SandboxServer {
  name: string;
  url: string;
  stats: SandboxStats;
  /** Resolves once `count` distinct keys have been applied. */
  appliedAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxServerOptions {
  name: string;
  handler: SandboxHandler;
  faults?: FaultOptions;
  /** @defaultValue 0 (a free port) */
  port?: number;
  host?: string;
}

interface Remembered {
  fingerprint: string;
  reply: SandboxReply;
}

function send(response: ServerResponse, reply: SandboxReply): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...reply.headers,
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSandboxServer(options: SandboxServerOptions): Promise<SandboxServer> {
  const faults = options.faults ?? {};
  const random = seededRandom(faults.seed ?? 1);
  const kinds = faults.kinds ?? FAULT_KINDS;
  const remembered = new Map<string, Remembered>();
  const stats: SandboxStats = {
    deliveries: 0,
    replays: 0,
    applied: 0,
    missingKey: 0,
    faults: { '5xx': 0, reset: 0, timeout: 0 },
    byKey: new Map(),
  };
  const waiters: { count: number; resolve: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const noteApplied = () => {
    stats.applied += 1;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i] as (typeof waiters)[number];
      if (stats.applied >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const drawFault = (): FaultKind | undefined => {
    if (!faults.rate || random() >= faults.rate) return undefined;
    return kinds[Math.floor(random() * kinds.length)];
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const rawBody = await readBody(request);
      stats.deliveries += 1;
      const header = request.headers['idempotency-key'];
      const idempotencyKey = typeof header === 'string' && header.length > 0 ? header : undefined;
      if (idempotencyKey === undefined) stats.missingKey += 1;
      else stats.byKey.set(idempotencyKey, (stats.byKey.get(idempotencyKey) ?? 0) + 1);
      let body: unknown;
      try {
        body = rawBody.length === 0 ? undefined : JSON.parse(rawBody);
      } catch {
        send(response, { status: 400, body: { error: 'invalid_json' } });
        return;
      }
      const call: SandboxCall = {
        method: request.method ?? 'GET',
        path: (request.url ?? '/').split('?')[0] as string,
        body,
        idempotencyKey,
        headers: request.headers,
        rawBody,
      };
      const fault = call.method === 'GET' ? undefined : drawFault();
      if (fault === '5xx') {
        stats.faults['5xx'] += 1;
        send(response, { status: 503, body: { error: 'sandbox_unavailable' } });
        return;
      }
      const reply = answer(call);
      if (fault === 'reset') {
        stats.faults.reset += 1;
        request.socket.destroy();
        return;
      }
      if (fault === 'timeout') {
        stats.faults.timeout += 1;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) send(response, reply);
        }, faults.timeoutMs ?? 2_000);
        timers.add(timer);
        return;
      }
      if (faults.latencyMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) send(response, reply);
        }, faults.latencyMs);
        timers.add(timer);
        return;
      }
      send(response, reply);
    })().catch(() => {
      if (!response.headersSent) send(response, { status: 500, body: { error: 'sandbox_fault' } });
    });
  });

  function answer(call: SandboxCall): SandboxReply {
    const forced = faults.override?.(call);
    if (forced !== undefined) return forced;
    if (call.method === 'GET' || call.idempotencyKey === undefined) return options.handler(call);
    const fingerprint = `${call.method} ${call.path} ${call.rawBody}`;
    const seen = remembered.get(call.idempotencyKey);
    if (seen !== undefined) {
      stats.replays += 1;
      if (seen.fingerprint !== fingerprint) {
        return { status: 422, body: { error: 'idempotency_key_reused' } };
      }
      return { ...seen.reply, headers: { ...seen.reply.headers, 'idempotent-replayed': 'true' } };
    }
    const reply = options.handler(call);
    // Like real providers, only settled answers are kept; a 5xx may be retried with the same key.
    if (reply.status < 500) remembered.set(call.idempotencyKey, { fingerprint, reply });
    if (reply.status >= 200 && reply.status < 300) noteApplied();
    return reply;
  }

  server.keepAliveTimeout = 30_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    name: options.name,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stats,
    appliedAtLeast(count) {
      if (stats.applied >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

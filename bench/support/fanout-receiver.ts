import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/providers/webhook-signature.js';

/**
 * The subscribers of bench/fanout: one loopback node:http server standing for every subscribed
 * agent (each subscription's url is a path on it). Like an agent it checks `Merchant-Signature`
 * with the shared secret (a 401 for one that does not verify), then answers 204 at once. It keeps
 * no event, only the distinct `Webhook-Id`s it accepted and the body bytes, so 400k events cost
 * it a set of ids rather than the sandbox receiver's copy of every body; on request it keeps the
 * raw bodies of the next `n` events (the floor posts those again). A POST to `/receipts` (a
 * checkout's receipt effect, the bench's probe of the outbox behind the events) is answered 204
 * unchecked and only its arrival time kept.
 */
export interface FanoutReceiver {
  url: string;
  /** requests answered 204, retries of an id included */
  accepted: number;
  /** distinct Webhook-Ids answered 204 */
  readonly distinct: number;
  /** body bytes of the requests answered 204 */
  bytes: number;
  badSignatures: number;
  /** Keeps the raw body and path of each of the next `count` events accepted. */
  keep(count: number): void;
  kept: { path: string; body: string }[];
  /** Date.now() of each `/receipts` POST, in arrival order. */
  receipts: number[];
  /** Resolves once `count` distinct Webhook-Ids have been accepted. */
  distinctAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFanoutReceiver(secret: string): Promise<FanoutReceiver> {
  const ids = new Set<string>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let keeping = 0;
  const receiver: FanoutReceiver = {
    url: '',
    accepted: 0,
    bytes: 0,
    badSignatures: 0,
    kept: [],
    receipts: [],
    get distinct() {
      return ids.size;
    },
    keep(count: number) {
      keeping = count;
    },
    distinctAtLeast(count: number) {
      if (ids.size >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/receipts') {
        receiver.receipts.push(Date.now());
        response.writeHead(204).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const signature = request.headers['merchant-signature'];
      const webhookId = request.headers['webhook-id'];
      if (
        typeof signature !== 'string' ||
        typeof webhookId !== 'string' ||
        webhookId === '' ||
        !verifyWebhookSignature(secret, signature, body)
      ) {
        receiver.badSignatures += 1;
        response.writeHead(401).end();
        return;
      }
      receiver.accepted += 1;
      receiver.bytes += raw.length;
      if (keeping > 0) {
        keeping -= 1;
        receiver.kept.push({ path: request.url ?? '/', body });
      }
      ids.add(webhookId);
      response.writeHead(204).end();
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i] as (typeof waiters)[number];
        if (ids.size >= waiter.count) {
          waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  return receiver;
}

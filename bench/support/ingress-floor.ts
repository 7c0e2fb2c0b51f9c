/**
 * The floor of bench/ingress, run as its own process: a bare fastify route on the same Redis
 * that parses the same bodies (fastify's JSON parser) and adds one BullMQ job each, with the
 * ingress' job options, then answers a small JSON-RPC result. No auth, validation, task store,
 * logging or metrics: the I/O of accepting a message without any of our logic.
 * Settings from the environment: REDIS_URL, QUEUE_PREFIX, PORT (HOST 127.0.0.1).
 */
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { INTENTS_QUEUE } from '../../src/queues/intent-queues.js';
import { queuePrefix } from '../../src/queues/queue-groups.js';
import { connectRedis } from '../../src/store/redis.js';

interface Body {
  id?: unknown;
  params?: { message?: { messageId?: string; parts?: { data?: unknown }[] } };
}

const RETENTION_SECONDS = 86_400;
const redisUrl = process.env.REDIS_URL as string;
const queue = new Queue(INTENTS_QUEUE, {
  connection: connectRedis(redisUrl, 'producer'),
  prefix: queuePrefix({ QUEUE_PREFIX: process.env.QUEUE_PREFIX as string }, INTENTS_QUEUE),
});
queue.on('error', () => {});

const app = Fastify();
app.post('/a2a', async (request) => {
  const body = request.body as Body;
  const messageId = body.params?.message?.messageId ?? '';
  const job = await queue.add(
    'process-intent',
    { messageId, request: body.params?.message?.parts?.[0]?.data },
    {
      // The ingress' options (src/services/intent-tasks.ts): an id per message, retries, retention.
      jobId: `floor-${messageId}`,
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: RETENTION_SECONDS },
      removeOnFail: { age: RETENTION_SECONDS },
    },
  );
  return { jsonrpc: '2.0', id: body.id, result: { task: { id: job.id } } };
});

const shutDown = async () => {
  await app.close();
  await queue.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutDown());
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('listening\n');

import { parseArgs } from 'node:util';
import { startApp } from './app/start-app.js';
import { type AppContext, createAppContext } from './app-context.js';
import { systemClock } from './clock.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { ensureRedis } from './runtime/ensure-redis.js';
import { checkListenAddress, ListenError, listenFailure } from './runtime/listen-check.js';
import { checkRedisSettings } from './runtime/redis-production-checks.js';
import { shutDown } from './runtime/shutdown.js';

/** A start-up failure a person fixes by changing a setting: one line on stderr, exit code 2. */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string' } }, allowPositionals: false });
  let config: Config;
  try {
    config = loadConfig(values.role ? { ...process.env, ROLE: values.role } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) refuse(error.message);
    throw error;
  }
  // Before anything starts (Redis, sandbox providers, workers): a taken port leaves nothing behind.
  try {
    await checkListenAddress(config.HOST, config.PORT);
  } catch (error) {
    if (error instanceof ListenError) refuse(error.message);
    throw error;
  }
  // A signal that arrives while starting is acted on once everything has started.
  let signalled: string | undefined;
  let onSignal = (signal: string) => {
    signalled ??= signal;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // `on`, not `once`: Ctrl-C under `npm start` delivers SIGINT twice (from the terminal and
    // forwarded by npm), and a second, unhandled one would kill the process mid-shutdown.
    process.on(signal, () => onSignal(signal));
  }

  const logger = createLogger({ level: config.LOG_LEVEL });
  const redis = await ensureRedis(config, logger);
  config = Object.freeze({ ...config, REDIS_URL: redis.url });
  const ctx: AppContext = createAppContext(config, logger, systemClock);
  await checkRedisSettings(ctx.redis, logger);
  // Each capability starts what this role runs (src/app/start-app.ts).
  const app = await startApp(ctx, config.ROLE);
  // Closed last, after everything that uses them: the shared connections, then the private Redis.
  app.running.add({
    name: 'redis',
    phase: 'connections',
    async close() {
      await ctx.close();
      await redis.privateServer?.stop();
    },
  });
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    // The port was free at the check above and was taken since: close what started, then refuse.
    const failure = listenFailure(error, config.HOST, config.PORT);
    if (failure === undefined) throw error;
    await app.close();
    refuse(failure.message);
  }
  logger.info(
    {
      role: config.ROLE,
      redis:
        config.REDIS_CLUSTER_NODES === undefined
          ? new URL(config.REDIS_URL).host
          : `cluster ${config.REDIS_CLUSTER_NODES.map((node) => `${node.host}:${node.port}`).join(',')}`,
      pid: process.pid,
    },
    'agent-commerce-worker started',
  );

  let stopping = false;
  onSignal = (signal: string) => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    void shutDown(
      {
        logger,
        health: ctx.health,
        server: app,
        // Handed over from the root onClose: shutDown closes them phase by phase after the HTTP
        // server, under its deadline, and logs each phase and what was still active.
        running: app.running.takeAll(),
        deadlineMs: config.SHUTDOWN_DEADLINE_MS,
        onDeadline() {
          redis.privateServer?.kill();
          process.exit(1);
        },
      },
      signal,
    ).then((outcome) => {
      if (outcome !== 'stopped') return;
      // Everything of ours is closed, so the process ends by itself, unless a library still
      // holds a socket: on Redis Cluster, BullMQ reconnects a worker's blocking connection while
      // closing it. Exit then instead of hanging (the timer does not keep the process alive).
      setTimeout(() => {
        logger.debug(
          { resources: process.getActiveResourcesInfo() },
          'exiting with handles a library left open',
        );
        process.exit(0);
      }, 1_000).unref();
    });
  };
  if (signalled !== undefined) onSignal(signalled);
}

await main();

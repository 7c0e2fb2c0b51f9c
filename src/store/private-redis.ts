import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivateRedis {
  url: string;
  port: number;
  /**
   * Stops the server and waits for it to exit: SIGTERM by default (it saves, replicas catch
   * up), SIGKILL to crash it (a failover test's harsher case).
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Synchronous SIGTERM, for a process about to exit. */
  kill(): void;
}

export interface PrivateRedisOptions {
  /** `none` for tests (nothing on disk); `aof` for the demo, kept under `dir`. */
  persistence: 'none' | 'aof';
  /** @defaultValue a free port chosen by the OS */
  port?: number;
  dir?: string;
  /** More redis-server arguments (a cluster node's, say). */
  extraArgs?: readonly string[];
}

export class RedisServerNotInstalledError extends Error {
  constructor() {
    super(
      'redis-server is not installed. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, ' +
        'macOS: `brew install redis`) or point REDIS_URL at a running Redis.',
    );
    this.name = 'RedisServerNotInstalledError';
  }
}

export function redisServerInstalled(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Resolves once the server answers PING, so callers never race its start-up. */
async function waitForPing(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const answered = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.setTimeout(200);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${deadlineMs} ms`);
}

/** Starts a `redis-server` owned by this process, bound to loopback only. */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  if (!redisServerInstalled()) throw new RedisServerNotInstalledError();
  const port = options.port ?? (await freePort());
  let scratch: string | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  args.push('--maxmemory-policy', 'noeviction');
  if (options.persistence === 'aof') {
    const dir = options.dir ?? './var/redis';
    mkdirSync(dir, { recursive: true });
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir);
  } else {
    // Nothing is meant to be written, but a CONFIG SET could, and a replica writes what its
    // master sends: keep it out of the working tree, in a folder of this server's own, so no
    // server ever starts from another's dump.rdb.
    scratch = mkdtempSync(path.join(tmpdir(), 'acw-redis-'));
    args.push('--appendonly', 'no', '--dir', scratch);
  }
  args.push(...(options.extraArgs ?? []));
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  child.once('exit', () => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });
  await waitForPing(port, child, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
    async stop(signal = 'SIGTERM') {
      // One that already exited, by a signal too (a crash test's SIGKILL), has nothing left to stop.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      // A server busy persisting gets a few seconds, then is killed: tests must not hang on it.
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Collects the child's JSON log lines; `waitFor` resolves on a past or future matching line. */
function logCollector(child: ChildProcess) {
  const seen: Record<string, unknown>[] = [];
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before the expected log line`)),
    );
  });
  exited.catch(() => {});
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text);
    } catch {
      return;
    }
    seen.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  return {
    waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const past = seen.find(match);
      if (past) return Promise.resolve(past);
      return Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve })),
        exited,
      ]);
    },
  };
}

describe('npm start', () => {
  it('starts its own Redis when none answers, serves, and stops cleanly on SIGTERM', async () => {
    const redisPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'acw-start-')),
        PORT: '0',
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        KEY_PREFIX: 'start-test',
        QUEUE_PREFIX: '{start-test}',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const logs = logCollector(child);
      const autostarted = await logs.waitFor((line) =>
        String(line.msg).includes('started a private redis-server'),
      );
      expect(autostarted.port).toBe(redisPort);
      const listening = await logs.waitFor((line) =>
        String(line.msg).startsWith('Server listening at'),
      );
      await logs.waitFor((line) => line.msg === 'agent-commerce-worker started');
      const url = String(listening.msg).replace('Server listening at ', '');
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      // The private Redis went with it.
      await expect(fetch(`http://127.0.0.1:${redisPort}`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
